#!/usr/bin/env bash
# End-to-end prefill benchmark (Forward over 2048 tokens) against the FLOP limit at the measured FMA peak.
# Builds nothing: run `mvn -B -o -q -pl bench -am package -DskipTests` first.
# Usage: bench/run-prefill.sh [--shapes 110m,1b] [--dtypes f32,q8_0] [--tokens 2048] [--runs 3] [--decode N] [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cp_file="$root/bench/target/classpath.txt"
if [[ ! -f "$cp_file" || ! -d "$root/bench/target/classes" ]]; then
  echo "bench not built: run 'mvn -B -o -q -pl bench -am package -DskipTests' from $root" >&2
  exit 1
fi
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
mkdir -p "$root/bench/target/tmp"
cd "$root"
# libjsig: PoCL's LLVM would otherwise replace the JVM's signal handlers (PLATFORM.md)
exec env LD_PRELOAD="$java_home/lib/libjsig.so" java --add-modules jdk.incubator.vector \
  -Xmx12g -Djava.io.tmpdir="$root/bench/target/tmp" \
  -cp "$root/bench/target/classes:$(cat "$cp_file")" io.starspark.bench.PrefillBench "$@"
