#!/usr/bin/env bash
# Batch benchmark: `starspark run` (answers on executors) on a 2-worker standalone cluster (Master + 2 Workers,
# separate JVMs on 127.0.0.1, 1 core each): DOCS documents x 4 questions, stories260K, ~TOKENS-token documents.
# Three runs on the same cluster, each with a fresh K/V folder (phase 1 included): 1 executor, 2 executors,
# and 2 executors answering on the driver (the previous design, same task code). Prints documents/minute and
# the 1 -> 2 executor speed-up. Builds nothing: run `mvn -B -o -q -DskipTests package` first.
# Usage: bench/run-batch.sh [DOCS (64)] [TOKENS (4096)] [BLOCK (1024)] [NEW_TOKENS (16)]
# Environment: EVENTS=1 writes each run's Spark event log and adds its summary (bench/eventlog.py: where the time
# goes, per job group) to the report; BASELINE=0 skips the answers-on-the-driver run; APP_JAR=FILE runs another
# build of the application jar (e.g. main's, for a before/after in the same session); STARSPARK_SHARED=DIR
# the shared models folder's parent when it is not ../shared (a git worktree elsewhere).
# Report: bench/results/batch-<date>.txt; inputs, outputs and logs under bench/target/batch.
set -euo pipefail
docs="${1:-64}"; tokens="${2:-4096}"; block="${3:-1024}"; new_tokens="${4:-16}"
root="$(cd "$(dirname "$0")/.." && pwd)"
spark_home="$root/driver/target/spark-home"
app_jar="${APP_JAR:-$(ls "$root"/driver/target/starspark-*.jar | grep -v -e tests -e original | head -1)}"
if [[ ! -d "$spark_home/jars" || -z "$app_jar" ]]; then
  echo "not built: run 'mvn -B -o -q -DskipTests package' from $root" >&2
  exit 1
fi
work="$root/bench/target/batch"
worker_memory=2g
mkdir -p "$root/bench/results"
source "$root/bench/cluster.sh"

# DOCS documents of ~TOKENS tokens (stories260K's tokenizer gives ~1 token per 2 characters of this text),
# seeded, each with 4 questions
python3 - "$work/input.jsonl" "$docs" "$tokens" <<'PY'
import json, random, sys
out, docs, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(13)
names = ["Lily", "Tom", "Sue", "Max", "Ben", "Mia", "Sam", "Anna"]
things = ["ball", "dog", "cat", "box", "tree", "cake", "car", "bird", "hat", "boat"]
verbs = ["saw", "liked", "found", "wanted", "played with", "gave away", "lost", "made"]
with open(out, "w") as f:
    for d in range(docs):
        words = []
        while sum(len(w) + 1 for w in words) < tokens * 2.0:
            words.append(f"{rng.choice(names)} {rng.choice(verbs)} a {rng.choice(['big', 'red', 'small', 'happy'])} "
                         f"{rng.choice(things)}.")
        f.write(json.dumps({"id": f"doc-{d:03d}", "document": " ".join(words),
                            "questions": [" " + rng.choice(names), " The", " One day", " She"]}) + "\n")
PY
echo "load before: $(uptime)"
report="$root/bench/results/batch-$(date +%Y-%m-%d-%H%M).txt"
{
  echo "# bench/run-batch.sh $docs $tokens $block $new_tokens  ($(date -u))"
  echo "# $(nproc) cores; load before: $(uptime | sed 's/.*load average/load average/')"
} > "$report"

submit() { # submit NAME EXECUTORS [run flags...]
  local name="$1" executors="$2"; shift 2
  local events=()
  if [[ "${EVENTS:-0}" == 1 ]]; then
    mkdir -p "$work/events/$name"
    events=(--conf spark.eventLog.enabled=true --conf "spark.eventLog.dir=file://$work/events/$name"
      --conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false)
  fi
  "${spark_java[@]}" org.apache.spark.deploy.SparkSubmit --master "$master" --deploy-mode client \
    --class io.starspark.driver.Main --total-executor-cores "$executors" \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false \
    --conf spark.executor.memory=1g --conf spark.executor.extraJavaOptions=-Djava.io.tmpdir="$work/tmp" "${events[@]}" \
    "$app_jar" run --model "${STARSPARK_SHARED:-$root/../shared}/models/stories260K.gguf" --input "$work/input.jsonl" \
    --output "$work/out-$name" --kv-dir "file://$work/kv-$name" --block-size "$block" --page-size 64 \
    --max-new-tokens "$new_tokens" --kernels java --expect-executors "$executors" --wait-seconds 180 --quiet --json "$@" \
    >"$work/logs/$name.json" 2>"$work/logs/$name.err"
  python3 - "$work/logs/$name.json" "$name" "$executors" <<'PY' | tee -a "$report"
import json, sys
s = json.load(open(sys.argv[1]))
tokens = [d["context_tokens"] for d in s["documents_table"] if d["context_tokens"]]
print(f"{sys.argv[2]:<22} executors {sys.argv[3]}  documents {s['documents']}  questions {s['questions']}  "
      f"failed {s['failed_rows']}  mean tokens {sum(tokens) / max(1, len(tokens)):.0f}  seconds {s['seconds']:.1f}  "
      f"documents/minute {60 * s['documents'] / s['seconds']:.2f}")
PY
  if [[ "${EVENTS:-0}" == 1 ]]; then
    python3 "$root/bench/eventlog.py" "$work/events/$name" | sed 's/^/    /' | tee -a "$report"
  fi
}
submit executors-1 1
submit executors-2 2
if [[ "${BASELINE:-1}" != 0 ]]; then
  submit driver-answers-2 2 --answer-on-driver
fi
python3 - "$work/logs" <<'PY' | tee -a "$report"
import json, os, sys
t = {n: json.load(open(f"{sys.argv[1]}/{n}.json"))["seconds"] for n in ["executors-1", "executors-2", "driver-answers-2"]
     if os.path.exists(f"{sys.argv[1]}/{n}.json")}
print(f"speed-up 1 -> 2 executors: {t['executors-1'] / t['executors-2']:.2f}x"
      + (f"; answers on executors vs on the driver (2 executors): {t['driver-answers-2'] / t['executors-2']:.2f}x"
         if "driver-answers-2" in t else ""))
PY
echo "# load after: $(uptime | sed 's/.*load average/load average/')" | tee -a "$report"
echo "report: $report"
