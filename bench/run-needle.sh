#!/usr/bin/env bash
# Million-token needle in a haystack with needle-retriever.gguf: one KEY VALUE pair in N filler words,
# Star prefill on Spark, then the question " KEY" answered with sparse (top-k pages) and exact attention
# over the same stored K/V. Prints both answers, answer times and K/V bytes read.
# Builds nothing: run `mvn -B -q -DskipTests package` first.
# Usage: bench/run-needle.sh [WORDS=999990] [DEPTH=0.37] [TOPK=8] [MASTER=local[2]]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
words="${1:-999990}" depth="${2:-0.37}" topk="${3:-8}" master="${4:-local[2]}"
out="$root/bench/target/needle"
rm -rf "$out" && mkdir -p "$out"
python3 - "$words" "$depth" "$root/../shared/models/needle-retriever.gguf.vocab.json" "$out" <<'PY'
import json, random, sys
n, depth, vocab, out = int(sys.argv[1]), float(sys.argv[2]), json.load(open(sys.argv[3])), sys.argv[4]
r = random.Random(11)
pick = lambda group: r.choice(vocab[group]).replace('\u2581', '')
words = [pick('filler') for _ in range(n)]
key, value = pick('keys'), pick('values')
at = min(n - 2, int(n * depth))
words[at], words[at + 1] = key, value
open(out + '/haystack.txt', 'w').write(' '.join(words))
open(out + '/needle', 'w').write(key + ' ' + value + '\n')
PY
read -r key value < "$out/needle"
echo "needle: '$key $value' at depth $depth of $words words"
common=(generate --model "$root/../shared/models/needle-retriever.gguf" --context-file "$out/haystack.txt"
  --question " $key" --max-new-tokens 1 --block-size 4096 --anchor-size 4096 --page-size 64
  --kv-dir "$out/kv" --master "$master" --json)
for mode in sparse star; do
  "$root/bin/starspark" "${common[@]}" --attention "$mode" --top-k "$topk" > "$out/$mode.json" 2> "$out/$mode.log"
  python3 - "$out/$mode.json" "$mode" "$value" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d['stats']
print(f"{sys.argv[2]:6s} answer '{d['text'].strip()}' ({'found' if d['text'].strip() == sys.argv[3] else 'MISSED'}) "
      f"context {d['context_tokens']} tokens, {s['blocks']} blocks; phase 1 {s['phase1_seconds']:.1f} s "
      f"(reused: {s['prefill_reused']}); answer {s['question_seconds']:.2f} s; pages/step {s['context_pages_per_step']:.0f} "
      f"of {s['pages']}; K/V read {s['context_bytes_read'] / 1e6:.1f} MB")
PY
done
