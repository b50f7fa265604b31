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
if [[ ! -d "$spark_home/jars" ]]; then
  echo "starspark: error: not built: run 'mvn -B -o -q -DskipTests package' from $root" >&2
  exit 2
fi
source "$root/bench/classpath.sh"
work="$root/bench/target/scale/cluster"
worker_memory=3g
source "$root/bench/cluster.sh"

LD_PRELOAD="$java_home/lib/libjsig.so" "$java_home/bin/java" "${flags[@]}" -Xmx1g \
  -Djava.io.tmpdir="$work/tmp" -cp "$root/bench/target/classes:$(cat "$cp_file"):$spark_home/jars/*" \
  io.starspark.bench.scale.ScaleBench --master "$master" --root "$root" "$@"
