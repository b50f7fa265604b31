#!/usr/bin/env bash
# Runs one bench main class from the built bench module with the flags every bench JVM needs.
# Builds nothing: run `mvn -B -o -q -pl bench -am package -DskipTests` first.
# Usage: bench/run-java.sh HEAP MAIN_CLASS [ARGS...]   e.g. bench/run-java.sh 8g io.starspark.bench.KernelBench --quick
# BENCH_CP_BEFORE=PATH[:PATH...]: classes or jars put ahead of the built ones, e.g. a parent commit's kernels jar
# (git worktree add /tmp/parent HEAD~1; mvn -B -o -q -pl kernels package -DskipTests there) to A/B a kernel change.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
heap="$1"
main="$2"
shift 2
source "$root/bench/classpath.sh"
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
mkdir -p "$root/bench/target/tmp"
cd "$root"
# the product's JVM flags (conf/jvm-flags, as bin/starspark and the executors), then BENCH_JVM_OPTS, which
# win where they repeat one (e.g. BENCH_JVM_OPTS=-XX:PerMethodTrapLimit=100 for the JDK's default)
source "$root/bench/jvm-flags.sh"
# libjsig: PoCL's LLVM would otherwise replace the JVM's signal handlers (PLATFORM.md)
exec env LD_PRELOAD="$java_home/lib/libjsig.so" java "${flags[@]}" ${BENCH_JVM_OPTS:-} \
  -Xmx"$heap" -Djava.io.tmpdir="$root/bench/target/tmp" \
  -cp "${BENCH_CP_BEFORE:+$BENCH_CP_BEFORE:}$root/bench/target/classes:$(cat "$cp_file")" "$main" "$@"
