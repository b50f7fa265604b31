package io.starspark.kernels;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whole blocks on a device, every other call on the host: the device backend's {@link #blockForward()} (a prefill
 * whose activations stay on the device across layers) and the host backend for the per-op calls (decode steps,
 * batches that see more than themselves, logits).
 *
 * <p>Why: through Aparapi each per-op call puts its host arrays, launches, and gets the result back. On an NVIDIA H200
 * (bench/README.md, 2026-12-04) a 110m decode step after 2048 tokens took 495 ms that way (2.0 tok/s; about 2 ms per
 * launch, and every layer's K/V crossing the bus) against 9.2 ms on the Java backend of the same machine's 16 cores;
 * a prefill through the per-op calls ran at 0.28× Java, while the device-resident block ran at 2.7× Java.
 */
public final class DeviceBlocksKernels implements Kernels {
    private final Kernels device;
    private final BlockForward blocks;
    private final Kernels host;

    /** {@code device} must have a block forward; {@code host} runs everything else. */
    public DeviceBlocksKernels(Kernels device, Kernels host) {
        this.device = Objects.requireNonNull(device, "device");
        this.host = Objects.requireNonNull(host, "host");
        this.blocks = device.blockForward().orElseThrow(() -> new IllegalArgumentException(
                "backend " + device.name() + " has no device-resident block forward"));
    }

    /** The backend whose block forward this uses. */
    public Kernels device() {
        return device;
    }

    /** The backend that runs the per-op calls. */
    public Kernels host() {
        return host;
    }

    @Override
    public String name() {
        return device.name() + "-blocks+" + host.name();
    }

    @Override
    public Optional<BlockForward> blockForward() {
        return Optional.of(blocks);
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        host.matmul(out, x, w, tokens);
    }

    @Override
    public void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens) {
        host.matmuls(outs, x, ws, tokens);
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        host.rmsnorm(out, x, weight, tokens, dim, eps);
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
        host.rope(x, tokens, heads, headDim, positions, rope);
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        host.swiglu(out, gate, up, n);
    }

    @Override
    public void attention(AttentionShape shape, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        host.attention(shape, q, k, v, out, lse);
    }

    @Override
    public void attention(AttentionShape shape, float[] q, short[] k, short[] v, float[] out, float[] lse) {
        host.attention(shape, q, k, v, out, lse);
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                           int tokens, int pages, int heads, int kvHeads, int headDim) {
        host.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
    }

    @Override
    public void prepareDecode(List<Matrix> weights, int heads, int kvHeads, int headDim, KvDtype kv) {
        host.prepareDecode(weights, heads, kvHeads, headDim, kv);
    }
}
