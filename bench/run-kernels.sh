#!/usr/bin/env bash
# Kernel benchmarks (GEMM, attention) against the FMA peak measured in the same run.
# Builds nothing: run `mvn -B -o -q -pl bench -am package -DskipTests` first.
# Usage: bench/run-kernels.sh [--quick] [--no-aparapi] [--out DIR]
exec "$(dirname "$0")/run-java.sh" 8g io.starspark.bench.KernelBench "$@"
