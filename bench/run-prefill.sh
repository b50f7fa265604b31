#!/usr/bin/env bash
# End-to-end prefill benchmark (Forward over 2048 tokens) against the FLOP limit at the measured FMA peak.
# Builds nothing: run `mvn -B -o -q -pl bench -am package -DskipTests` first.
# Usage: bench/run-prefill.sh [--shapes 110m,1b] [--dtypes f32,q8_0] [--tokens 2048] [--runs 3] [--decode N] [--out DIR]
exec "$(dirname "$0")/run-java.sh" 12g io.starspark.bench.PrefillBench "$@"
