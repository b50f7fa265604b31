#!/usr/bin/env python3
"""Independent oracle for starspark's GGML block dequantization: llama.cpp's own gguf-py.

Writes kernels/src/test/resources/golden/quants/ (all little-endian):
  inputs.f32            4096 seeded floats in varied blocks (gaussian, uniform, outliers, zeros, constants, tiny, huge)
  <T>.random.bin/.f32   random raw blocks of type T (every bit pattern of quants and scales) and gguf-py's dequantization
  <T>.ours.bin/.f32     our Java quantizer's blocks for inputs.f32 (QuantGoldenWriter) and gguf-py's dequantization
  <T>.ggufpy.bin        gguf-py's own quantization of inputs.f32, where gguf-py has a quantizer for T
Run from the repository root after `mvn -pl kernels test-compile`:  python3 oracle/quants.py
Needs: pip install gguf numpy (gguf 0.19.0, numpy 2.4.6 were used).
"""
import os
import subprocess
import sys

import numpy as np
from gguf import GGMLQuantizationType as Q
from gguf import quants

TYPES = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"]
SEED = 20261202
OUT = "kernels/src/test/resources/golden/quants"
RANDOM_BLOCKS = 48


def inputs(rng):
    blocks = []
    for i in range(16):  # 16 blocks of 256 values
        kind = i % 8
        if kind == 0:
            b = rng.normal(0, 1, 256)
        elif kind == 1:
            b = rng.uniform(-0.05, 0.05, 256)
        elif kind == 2:
            b = rng.normal(0, 0.02, 256)
            b[rng.integers(0, 256, 3)] = rng.normal(0, 5, 3)  # outliers
        elif kind == 3:
            b = np.zeros(256)
            b[128:] = rng.normal(0, 1, 128)  # zero sub-blocks
        elif kind == 4:
            b = np.full(256, 0.75)  # constant
            b[200:] = -0.25
        elif kind == 5:
            b = rng.normal(0, 1e-6, 256)  # tiny: f16 scales underflow to subnormal
        elif kind == 6:
            b = rng.uniform(0, 300, 256)  # all positive, large
        else:
            b = -np.abs(rng.normal(0, 2, 256))  # all negative
        blocks.append(b)
    return np.concatenate(blocks).astype("<f4")


def write_f32(name, a):
    np.asarray(a, dtype="<f4").tofile(os.path.join(OUT, name))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    x = inputs(rng)
    write_f32("inputs.f32", x)

    cp = "kernels/target/classes:kernels/target/test-classes"
    subprocess.run(["java", "--add-modules", "jdk.incubator.vector", "-cp", cp,
                    "io.starspark.kernels.QuantGoldenWriter", OUT], check=True)

    for t in TYPES:
        qt = Q[t]
        block_size, type_size = quants.GGML_QUANT_SIZES[qt]
        raw = rng.integers(0, 256, RANDOM_BLOCKS * type_size, dtype=np.uint8)
        raw.tofile(os.path.join(OUT, t + ".random.bin"))
        write_f32(t + ".random.f32", quants.dequantize(raw, qt))

        ours = np.fromfile(os.path.join(OUT, t + ".ours.bin"), dtype=np.uint8)
        write_f32(t + ".ours.f32", quants.dequantize(ours, qt))

        try:
            theirs = quants.quantize(x.reshape(1, -1), qt)
        except NotImplementedError:
            continue
        theirs.astype(np.uint8).tofile(os.path.join(OUT, t + ".ggufpy.bin"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
