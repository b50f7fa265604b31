#!/usr/bin/env bash
# Runs one bench main class from the built bench module with the flags every bench JVM needs.
# Builds nothing: run `mvn -B -o -q -pl bench -am package -DskipTests` first.
# Usage: bench/run-java.sh HEAP MAIN_CLASS [ARGS...]   e.g. bench/run-java.sh 8g io.starspark.bench.KernelBench --quick
# BENCH_CP_BEFORE=PATH[:PATH...]: classes or jars put ahead of the built ones, e.g. a parent commit's kernels jar
# (git worktree add /tmp/parent HEAD~1; mvn -B -o -q -pl kernels package -DskipTests there) to A/B a kernel change.
# BENCH_JAVA=PATH: the java executable to run (default: java on PATH), e.g. a newer JDK's to A/B the JIT and the
# Vector API (BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java); its own libjsig is preloaded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
heap="$1"
main="$2"
shift 2
source "$root/bench/classpath.sh"
# the product's JVM flags (conf/jvm-flags, as bin/starspark and the executors), then BENCH_JVM_OPTS, which
# win where they repeat one (e.g. BENCH_JVM_OPTS=-XX:PerMethodTrapLimit=100 for the JDK's default)
source "$root/bench/jvm-flags.sh"
java="${BENCH_JAVA:-java}"
if ! java_path="$(runnable_java "$java")"; then
  echo "starspark: error: no java runs as $java${BENCH_JAVA:+ (BENCH_JAVA)}" >&2
  exit 2
fi
mkdir -p "$root/bench/target/tmp"
cd "$root"
exec env LD_PRELOAD="$(java_home_of "$java_path")/lib/libjsig.so" "$java_path" "${flags[@]}" ${BENCH_JVM_OPTS:-} \
  -Xmx"$heap" -Djava.io.tmpdir="$root/bench/target/tmp" \
  -cp "${BENCH_CP_BEFORE:+$BENCH_CP_BEFORE:}$root/bench/target/classes:$(cat "$cp_file")" "$main" "$@"
