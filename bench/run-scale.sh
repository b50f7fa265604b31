#!/usr/bin/env bash
# Scale benchmark: Star Attention phase 1 on a 2-worker standalone cluster (Master + 2 Workers,
# separate JVMs on 127.0.0.1, 1 core each), for synthetic documents of N tokens.
# Builds nothing: run `mvn -B -o -q -DskipTests package` first (app jar, spark-home, bench classes).
# Usage: bench/run-scale.sh [ScaleBench options], e.g.
#   bench/run-scale.sh                                   # 65,536 and 1,000,000 tokens, block = anchor = 4096
#   bench/run-scale.sh --case 65536:4096:1024 --executor-memory 1g
# Report: bench/results/scale-<date>.txt (or --out FILE); logs and documents under bench/target/scale.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
spark_home="$root/driver/target/spark-home"
cp_file="$root/bench/target/classpath.txt"
if [[ ! -d "$spark_home/jars" || ! -f "$cp_file" || ! -d "$root/bench/target/classes" ]]; then
  echo "not built: run 'mvn -B -o -q -DskipTests package' from $root" >&2
  exit 1
fi
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
work="$root/bench/target/scale/cluster"
rm -rf "$work"
mkdir -p "$work/logs" "$work/tmp" "$work/worker-1" "$work/worker-2"
mapfile -t flags < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$root/conf/jvm-flags")
export JAVA_HOME="$java_home" SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 \
  SPARK_LOCAL_DIRS="$work/tmp" SPARK_LOG_DIR="$work/logs"
spark_java=("$java_home/bin/java" "${flags[@]}" -Xmx1g -Djava.io.tmpdir="$work/tmp" -cp "$spark_home/jars/*")

pids=()
stop() { # by PID: Workers (and the executors they started) before the Master
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    pkill -TERM -P "${pids[i]}" 2>/dev/null || true
    kill "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop EXIT

# await FILE REGEX COUNT SECONDS: wait until FILE has COUNT lines matching REGEX
await() {
  for ((t=0; t<$4*4; t++)); do
    if [[ "$(grep -c -E "$2" "$1" 2>/dev/null || true)" -ge "$3" ]]; then return 0; fi
    sleep 0.25
  done
  echo "timed out waiting for '$2' in $1" >&2
  exit 1
}

# port 0: the Master binds free ports and logs its URL
"${spark_java[@]}" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 \
  >"$work/logs/master.out" 2>"$work/logs/master.err" &
pids+=($!)
await "$work/logs/master.err" 'Starting Spark master at spark://' 1 60
master="$(grep -o -E 'spark://127\.0\.0\.1:[0-9]+' "$work/logs/master.err" | head -1)"
for i in 1 2; do
  LD_PRELOAD="$java_home/lib/libjsig.so" "${spark_java[@]}" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port 0 --cores 1 --memory "${STARSPARK_WORKER_MEMORY:-3g}" \
    --work-dir "$work/worker-$i" "$master" >"$work/logs/worker-$i.out" 2>"$work/logs/worker-$i.err" &
  pids+=($!)
done
await "$work/logs/master.err" 'Registering worker' 2 90
echo "cluster up at $master (logs in $work/logs)"

LD_PRELOAD="$java_home/lib/libjsig.so" "$java_home/bin/java" "${flags[@]}" -Xmx1g \
  -Djava.io.tmpdir="$work/tmp" -cp "$root/bench/target/classes:$(cat "$cp_file"):$spark_home/jars/*" \
  io.starspark.bench.scale.ScaleBench --master "$master" --root "$root" "$@"
