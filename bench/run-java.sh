#!/usr/bin/env bash
# Runs one bench main class from the built bench module with the flags every bench JVM needs.
# Builds nothing: run `mvn -B -o -q -pl bench -am package -DskipTests` first.
# Usage: bench/run-java.sh HEAP MAIN_CLASS [ARGS...]   e.g. bench/run-java.sh 8g io.starspark.bench.KernelBench --quick
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
heap="$1"
main="$2"
shift 2
cp_file="$root/bench/target/classpath.txt"
if [[ ! -f "$cp_file" || ! -d "$root/bench/target/classes" ]]; then
  echo "bench not built: run 'mvn -B -o -q -pl bench -am package -DskipTests' from $root" >&2
  exit 1
fi
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
mkdir -p "$root/bench/target/tmp"
cd "$root"
# the product's JVM flags (conf/jvm-flags, as bin/starspark and the executors), then BENCH_JVM_OPTS, which
# win where they repeat one (e.g. BENCH_JVM_OPTS=-XX:PerMethodTrapLimit=100 for the JDK's default)
source "$root/bench/jvm-flags.sh"
# libjsig: PoCL's LLVM would otherwise replace the JVM's signal handlers (PLATFORM.md)
exec env LD_PRELOAD="$java_home/lib/libjsig.so" java "${flags[@]}" ${BENCH_JVM_OPTS:-} \
  -Xmx"$heap" -Djava.io.tmpdir="$root/bench/target/tmp" \
  -cp "$root/bench/target/classes:$(cat "$cp_file")" "$main" "$@"
