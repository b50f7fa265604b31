package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link Kernels} backend must do, judged against {@link ReferenceKernels} (float64) on
 * random inputs. Tolerances, all relative to the magnitude of the terms summed:
 * <ul>
 * <li>matmul: |out − ref| ≤ 1e-4 · Σ_c |x·w| + 1e-6 (float32 accumulation in any order)</li>
 * <li>rmsnorm, swiglu: |out − ref| ≤ 1e-5 · |ref| + 1e-6</li>
 * <li>rope: |out − ref| ≤ 1e-5 · (|a| + |b|) + 1e-6 for each rotated pair (a, b)</li>
 * <li>attention: |out − ref| ≤ 1e-4 · max|v| + 1e-6; |lse − ref| ≤ 1e-4 · (1 + |ref|);
 *     a query that sees no key: out exactly 0, lse exactly −∞</li>
 * <li>scorePages: |s − ref| ≤ 1e-5 · Σ_c |q|·max(|min|, |max|) + 1e-6</li>
 * </ul>
 * The seed is printed; rerun with {@code -Dstarspark.test.seed=S}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class KernelsContract {
    protected final ReferenceKernels ref = new ReferenceKernels();
    protected Kernels kernels;
    protected long seed;
    protected SplittableRandom rnd;

    /** The backend under test; called once per test class. */
    protected abstract Kernels create();

    /** Hook run after every kernel call (e.g. to assert the call ran where it should). */
    protected void afterCall() {
    }

    @BeforeAll
    void setUp() {
        seed = Long.getLong("starspark.test.seed", 20261205L);
        System.out.println(getClass().getSimpleName() + " seed=" + seed + " (rerun: -Dstarspark.test.seed=" + seed + ")");
        rnd = new SplittableRandom(seed);
        kernels = create();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (kernels instanceof AutoCloseable c) {
            c.close();
        }
    }

    protected float[] random(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    protected String where() {
        return " [" + kernels.name() + ", seed " + seed + "]";
    }

    // ---- matmul ----

    /**
     * {tokens, rows, cols}; Q8 rounds cols up to whole blocks. {1, 9, 200}: a decode GEMV over 7 Q8_0 blocks, the
     * four-block steps and the tail together (Gemv.q8Span).
     */
    protected int[][] matmulShapes() {
        return new int[][] {{1, 5, 7}, {2, 33, 64}, {3, 17, 32}, {4, 70, 96}, {37, 65, 300},
            {13, 129, 257}, {100, 530, 40}, {7, 1, 1}, {1, 9, 200}};
    }

    @Test
    void matmulF32() {
        for (int[] s : matmulShapes()) {
            float[] w = random(s[1] * s[2], 1);
            checkMatmul(new F32Matrix(w, s[1], s[2]), s[0]);
        }
    }

    @Test
    void matmulF16() {
        for (int[] s : matmulShapes()) {
            short[] w = new short[s[1] * s[2]];
            for (int i = 0; i < w.length; i++) {
                w[i] = Half.fromFloat((float) (rnd.nextDouble() * 2 - 1));
            }
            checkMatmul(new F16Matrix(w, s[1], s[2]), s[0]);
        }
    }

    @Test
    void matmulQ8() {
        for (int[] s : matmulShapes()) {
            int cols = (s[2] + 31) / 32 * 32;
            byte[] q = new byte[s[1] * cols];
            float[] scales = random(s[1] * cols / 32, 0.01);
            for (int i = 0; i < q.length; i++) {
                q[i] = (byte) (rnd.nextInt(255) - 127);
            }
            checkMatmul(new Q8Matrix(q, scales, s[1], cols), s[0]);
        }
    }

    /**
     * Q8_0 rows wider than {@link Q8Matrix#TILE_COLS}, held tiled (groups of 64 rows, chunks of 2048 columns): the
     * decode path (T ≤ 3) and the blocked GEMM (T > 3, through loadRow) on 70 rows (one whole group and a partial
     * one) of 2080 columns (a whole chunk and one block).
     */
    @Test
    void matmulQ8Tiled() {
        int rows = 70;
        int cols = Q8Matrix.TILE_COLS + 32;
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (rnd.nextInt(255) - 127);
        }
        Q8Matrix m = new Q8Matrix(q, random(rows * cols / 32, 0.01), rows, cols);
        assertTrue(m.tiled());
        for (int tokens : new int[] {1, 3, 6}) {
            checkMatmul(m, tokens);
        }
    }

    /**
     * Every GGML block type at the contract shapes, cols rounded up to whole blocks (32 or 256):
     * T=1 (GEMV), T≤3 and T>3 (blocked GEMM), row counts that leave panel tails. Weights are
     * random values through the type's quantizer.
     */
    @ParameterizedTest
    @EnumSource(BlockType.class)
    void matmulBlockTypes(BlockType type) {
        for (int[] s : matmulShapes()) {
            int cols = (s[2] + type.blockSize() - 1) / type.blockSize() * type.blockSize();
            checkMatmul(BlockMatrix.quantize(type, random(s[1] * cols, 1), s[1], cols), s[0]);
        }
    }

    /**
     * matmuls gives every matrix the bits of its own matmul, at decode sizes (T ≤ 3: one parallel loop over all rows
     * in the java backend, 2222 rows so that two threads split it, mid-matrix) and at prefill sizes; mixed types.
     */
    @Test
    void matmulsEqualsOneMatmulPerMatrix() {
        int cols = 256;
        short[] halves = new short[600 * cols];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = Half.fromFloat((float) (rnd.nextDouble() * 2 - 1));
        }
        byte[] q = new byte[700 * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (rnd.nextInt(255) - 127);
        }
        Matrix[] ws = {new F32Matrix(random(5 * cols, 1), 5, cols), new F16Matrix(halves, 600, cols),
            new Q8Matrix(q, random(700 * cols / 32, 0.01), 700, cols),
            BlockMatrix.quantize(BlockType.Q4_K, random(17 * cols, 1), 17, cols),
            BlockMatrix.quantize(BlockType.Q6_K, random(900 * cols, 1), 900, cols)};
        for (int tokens : new int[] {1, 3, 5}) {
            float[] x = random(tokens * cols, 1);
            float[][] outs = new float[ws.length][];
            for (int i = 0; i < ws.length; i++) {
                outs[i] = random(tokens * ws[i].rows(), 100); // garbage must be overwritten
            }
            kernels.matmuls(outs, x, ws, tokens);
            afterCall();
            for (int i = 0; i < ws.length; i++) {
                float[] expect = new float[tokens * ws[i].rows()];
                kernels.matmul(expect, x, ws[i], tokens);
                assertTrue(java.util.Arrays.equals(expect, outs[i]),
                        "matmuls differs from matmul for " + describe(ws[i]) + " T=" + tokens + where());
            }
        }
    }

    private void checkMatmul(Matrix w, int tokens) {
        float[] x = random(tokens * w.cols(), 1);
        float[] out = random(tokens * w.rows(), 100); // garbage must be overwritten
        float[] expect = new float[tokens * w.rows()];
        kernels.matmul(out, x, w, tokens);
        afterCall();
        ref.matmul(expect, x, w, tokens);
        float[] row = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            w.loadRow(r, row, 0);
            for (int t = 0; t < tokens; t++) {
                double mag = 0;
                for (int c = 0; c < w.cols(); c++) {
                    mag += Math.abs(x[t * w.cols() + c] * row[c]);
                }
                int i = t * w.rows() + r;
                assertClose(expect[i], out[i], 1e-4 * mag + 1e-6,
                        "matmul " + describe(w) + " T=" + tokens + " " + w.rows() + "x" + w.cols()
                                + " at t=" + t + " r=" + r);
            }
        }
    }

    private static String describe(Matrix w) {
        return w instanceof BlockMatrix b ? b.type().toString() : w.getClass().getSimpleName();
    }

    // ---- rmsnorm, rope, swiglu ----

    @Test
    void rmsnorm() {
        for (int[] s : new int[][] {{1, 8}, {3, 17}, {5, 64}, {2, 2048}}) {
            float[] x = random(s[0] * s[1], 3);
            float[] w = random(s[1], 2);
            float[] out = new float[x.length];
            float[] expect = new float[x.length];
            kernels.rmsnorm(out, x, w, s[0], s[1], 1e-5f);
            afterCall();
            ref.rmsnorm(expect, x, w, s[0], s[1], 1e-5f);
            assertAllClose(expect, out, 1e-5, "rmsnorm " + s[0] + "x" + s[1]);
            kernels.rmsnorm(x, x, w, s[0], s[1], 1e-5f); // in place
            afterCall();
            assertAllClose(expect, x, 1e-5, "rmsnorm in place " + s[0] + "x" + s[1]);
        }
    }

    @Test
    void rope() {
        // {tokens, heads, headDim, rotaryDim}
        for (int[] s : new int[][] {{1, 1, 8, 8}, {3, 2, 64, 64}, {5, 3, 12, 8}, {37, 4, 64, 32}}) {
            int[] pos = new int[s[0]];
            for (int t = 0; t < pos.length; t++) {
                pos[t] = t == 0 ? 1_000_000 : rnd.nextInt(1 << 20);
            }
            float[] factors = new float[s[3] / 2];
            for (int i = 0; i < factors.length; i++) {
                factors[i] = 1f + 7f * i / factors.length; // Llama 3 style: 1 (high freq) .. 8 (low freq)
            }
            for (Rope.Style style : Rope.Style.values()) {
                for (Rope rope : new Rope[] {new Rope(style, s[3], 10000.0, null),
                    new Rope(style, s[3], 500000.0, factors)}) {
                    float[] x = random(s[0] * s[1] * s[2], 2);
                    float[] expect = x.clone();
                    float[] in = x.clone();
                    kernels.rope(x, s[0], s[1], s[2], pos, rope);
                    afterCall();
                    ref.rope(expect, s[0], s[1], s[2], pos, rope);
                    String what = "rope " + java.util.Arrays.toString(s) + " " + rope;
                    for (int i = 0; i < x.length; i++) {
                        // a rotated value mixes its own and its partner's input: bound by both magnitudes
                        int h = i % s[2];
                        int partner = h >= s[3] ? i : i - h + partnerOf(rope, h);
                        double tol = 1e-5 * (Math.abs(in[i]) + Math.abs(in[partner])) + 1e-6;
                        assertClose(expect[i], x[i], tol, what + " at " + i);
                    }
                }
            }
        }
    }

    private static int partnerOf(Rope rope, int d) {
        for (int i = 0; i < rope.pairs(); i++) {
            if (rope.first(i) == d) {
                return rope.second(i);
            }
            if (rope.second(i) == d) {
                return rope.first(i);
            }
        }
        throw new IllegalArgumentException("dim " + d + " is not rotated");
    }

    @Test
    void swiglu() {
        for (int n : new int[] {1, 7, 16, 33, 1000}) {
            float[] gate = random(n, 12);
            gate[0] = n > 1 ? -90f : 90f; // exp overflow territory
            float[] up = random(n, 3);
            float[] out = new float[n];
            float[] expect = new float[n];
            kernels.swiglu(out, gate, up, n);
            afterCall();
            ref.swiglu(expect, gate, up, n);
            assertAllClose(expect, out, 1e-5, "swiglu n=" + n);
        }
    }

    /**
     * In place (out is gate, as the forward pass calls it; or up), on fresh arrays after calls on others: a device
     * with its own memory must not keep stale copies of an input, nor give an input back as the output.
     */
    @Test
    void swigluAndRmsnormInPlaceAfterOtherCalls() {
        for (int round = 0; round < 3; round++) {
            for (int n : new int[] {7, 172, 1000}) {
                float[] gate = random(n, 12);
                float[] up = random(n, 3);
                float[] expect = new float[n];
                ref.swiglu(expect, gate, up, n);
                float[] inGate = gate.clone();
                kernels.swiglu(inGate, inGate, up.clone(), n);
                afterCall();
                assertAllClose(expect, inGate, 1e-5, "swiglu into gate n=" + n + " round " + round);
                float[] inUp = up.clone();
                kernels.swiglu(inUp, gate.clone(), inUp, n);
                afterCall();
                assertAllClose(expect, inUp, 1e-5, "swiglu into up n=" + n + " round " + round);

                float[] x = random(2 * n, 3);
                float[] w = random(n, 2);
                float[] want = new float[2 * n];
                ref.rmsnorm(want, x, w, 2, n, 1e-5f);
                float[] other = new float[2 * n];
                kernels.rmsnorm(other, random(2 * n, 3), w, 2, n, 1e-5f); // the same kernel on other arrays first
                afterCall();
                kernels.rmsnorm(x, x, w, 2, n, 1e-5f);
                afterCall();
                assertAllClose(want, x, 1e-5, "rmsnorm in place 2x" + n + " round " + round);
            }
        }
    }

    // ---- attention ----

    /** {tokens, keys, heads, kvHeads, headDim}. */
    protected int[][] attentionShapes() {
        return new int[][] {{1, 1, 1, 1, 8}, {1, 37, 4, 4, 64}, {37, 37, 4, 2, 64}, {37, 300, 8, 2, 64},
            {5, 9, 4, 1, 12}, {70, 150, 2, 2, 8}, {3, 200, 8, 8, 8}, {2, 5, 3, 1, 5},
            {1, 700, 8, 2, 64}, {1, 513, 4, 4, 32}};
    }

    @Test
    void attentionCausal() {
        for (int[] s : attentionShapes()) {
            if (s[1] >= s[0]) {
                checkAttention(AttentionShape.causal(s[0], s[1], s[2], s[3], s[4]));
            }
        }
    }

    @Test
    void attentionFullyVisible() {
        for (int[] s : attentionShapes()) {
            checkAttention(AttentionShape.full(s[0], s[1], s[2], s[3], s[4]));
        }
    }

    @Test
    void attentionWithMaskedRows() {
        // negative offset: the first queries see no key at all
        for (int[] s : attentionShapes()) {
            if (s[0] > 1) {
                checkAttention(new AttentionShape(s[0], s[1], s[2], s[3], s[4], -2));
            }
        }
        checkAttention(new AttentionShape(4, 0, 2, 1, 8, 0)); // no keys at all
        checkAttention(new AttentionShape(3, 10, 2, 1, 8, -50)); // every row masked
    }

    @Test
    void attentionLargeScores() {
        // scores of ±hundreds: the online softmax must rescale without overflow
        float[] q = random(6 * 2 * 16, 40);
        float[] k = random(260 * 16, 40);
        float[] v = random(260 * 16, 1);
        checkAttention(AttentionShape.causal(6, 260, 2, 1, 16), q, k, v);
    }

    /**
     * K/V as halves: the bits of the float call on the halves' values, for every shape (decode steps read the
     * halves in place on the Java backend: chunks of 256 keys, blocks of 16, tails) and for keys that are not a
     * multiple of 16, in a backing array longer than the shape reads (as a cache's).
     */
    @Test
    void attentionOverHalvesIsAttentionOverTheirValues() {
        List<AttentionShape> shapes = new ArrayList<>();
        for (int[] s : attentionShapes()) {
            shapes.add(AttentionShape.full(s[0], s[1], s[2], s[3], s[4]));
            if (s[1] >= s[0]) {
                shapes.add(AttentionShape.causal(s[0], s[1], s[2], s[3], s[4]));
            }
        }
        shapes.add(AttentionShape.causal(1, 300, 12, 12, 64));
        shapes.add(AttentionShape.causal(1, 17, 4, 1, 16));
        shapes.add(new AttentionShape(1, 40, 2, 1, 16, -50)); // no key visible
        for (AttentionShape s : shapes) {
            checkHalfAttention(s, 1.5, -1, -1);
        }
        // queries too large to scale by 2^112 (the java decode path then widens first); an Inf key or a NaN value
        // in the second chunk of 256 keys, and an Inf value in the first (that chunk is computed again)
        checkHalfAttention(AttentionShape.causal(1, 300, 4, 4, 64), 1e6, -1, -1);
        checkHalfAttention(AttentionShape.causal(1, 600, 4, 2, 64), 1.5, 300 * 128 + 5, -1);
        checkHalfAttention(AttentionShape.causal(1, 600, 4, 2, 64), 1.5, -1, 290 * 128 + 70);
        checkHalfAttention(AttentionShape.causal(1, 600, 4, 4, 64), 1.5, -1, 3 * 256 + 1);
    }

    /** One shape of {@link #attentionOverHalvesIsAttentionOverTheirValues}; a special half at kInf / vNaN (or -1). */
    private void checkHalfAttention(AttentionShape s, double qScale, int kInf, int vNaN) {
        int qn = s.tokens() * s.heads() * s.headDim();
        int kn = s.keys() * s.kvHeads() * s.headDim();
        int spare = 3 * s.kvHeads() * s.headDim();
        short[] hk = halves(random(kn + spare, 1.5));
        short[] hv = halves(random(kn + spare, 2));
        if (kInf >= 0) {
            hk[kInf] = (short) 0x7c00;
        }
        if (vNaN >= 0) {
            hv[vNaN] = (short) (vNaN % 2 == 0 ? 0x7e00 : 0x7c00);
        }
        float[] q = random(qn, qScale);
        float[] out = random(qn, 50);
        float[] lse = random(s.tokens() * s.heads(), 50);
        float[] expectOut = random(qn, 50);
        float[] expectLse = random(s.tokens() * s.heads(), 50);
        kernels.attention(s, q, hk, hv, out, lse);
        afterCall();
        kernels.attention(s, q, Half.toFloatArray(hk, kn), Half.toFloatArray(hv, kn), expectOut, expectLse);
        afterCall();
        assertArrayEquals(expectOut, out, "out of " + s + where());
        assertArrayEquals(expectLse, lse, "lse of " + s + where());
    }

    private static short[] halves(float[] x) {
        short[] h = new short[x.length];
        Half.toHalves(x, 0, h, 0, x.length);
        return h;
    }

    private void checkAttention(AttentionShape s) {
        int qn = s.tokens() * s.heads() * s.headDim();
        int kn = s.keys() * s.kvHeads() * s.headDim();
        checkAttention(s, random(qn, 1.5), random(kn, 1.5), random(kn, 2));
    }

    private void checkAttention(AttentionShape s, float[] q, float[] k, float[] v) {
        int qn = s.tokens() * s.heads() * s.headDim();
        float[] out = random(qn, 50);
        float[] lse = random(s.tokens() * s.heads(), 50);
        float[] expectOut = new float[qn];
        float[] expectLse = new float[s.tokens() * s.heads()];
        kernels.attention(s, q, k, v, out, lse);
        afterCall();
        ref.attention(s, q, k, v, expectOut, expectLse);
        double vMax = 0;
        for (float f : v) {
            vMax = Math.max(vMax, Math.abs(f));
        }
        for (int t = 0; t < s.tokens(); t++) {
            for (int h = 0; h < s.heads(); h++) {
                int row = t * s.heads() + h;
                String at = "attention " + s + " t=" + t + " h=" + h;
                if (s.visibleKeys(t) == 0) {
                    assertEquals(Float.NEGATIVE_INFINITY, lse[row], at + " lse of a masked row" + where());
                    for (int d = 0; d < s.headDim(); d++) {
                        assertEquals(0f, out[row * s.headDim() + d], at + " out of a masked row" + where());
                    }
                    continue;
                }
                assertClose(expectLse[row], lse[row], 1e-4 * (1 + Math.abs(expectLse[row])), at + " lse");
                for (int d = 0; d < s.headDim(); d++) {
                    int i = row * s.headDim() + d;
                    assertClose(expectOut[i], out[i], 1e-4 * vMax + 1e-6, at + " d=" + d);
                }
            }
        }
    }

    // ---- scorePages ----

    @Test
    void scorePages() {
        // {tokens, pages, heads, kvHeads, headDim}
        for (int[] s : new int[][] {{1, 1, 1, 1, 8}, {3, 7, 4, 2, 64}, {2, 5, 8, 2, 12}, {1, 33, 4, 1, 17}}) {
            float[] q = random(s[0] * s[2] * s[4], 2);
            float[] a = random(s[1] * s[3] * s[4], 1);
            float[] b = random(s[1] * s[3] * s[4], 1);
            float[] min = new float[a.length];
            float[] max = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                min[i] = Math.min(a[i], b[i]);
                max[i] = Math.max(a[i], b[i]);
            }
            float[] out = new float[s[0] * s[1] * s[2]];
            float[] expect = new float[out.length];
            kernels.scorePages(q, min, max, out, s[0], s[1], s[2], s[3], s[4]);
            afterCall();
            ref.scorePages(q, min, max, expect, s[0], s[1], s[2], s[3], s[4]);
            assertAllClose(expect, out, 1e-5 * 2 * s[4], "scorePages " + java.util.Arrays.toString(s));
        }
    }

    // ---- argument checks ----

    /** Calls with bad arguments (bugs in the caller); every backend rejects each one as the reference does. */
    private static Map<String, Consumer<Kernels>> badCalls() {
        Matrix w = new F32Matrix(new float[6], 2, 3); // [rows 2][cols 3]
        Map<String, Consumer<Kernels>> bad = new LinkedHashMap<>();
        bad.put("matmul tokens 0", k -> k.matmul(new float[2], new float[3], w, 0));
        bad.put("matmul x short", k -> k.matmul(new float[4], new float[5], w, 2));
        bad.put("matmul out short", k -> k.matmul(new float[3], new float[6], w, 2));
        bad.put("matmuls outputs != matrices", k -> k.matmuls(new float[][] {new float[2]}, new float[3],
                new Matrix[] {w, w}, 1));
        bad.put("matmuls cols differ", k -> k.matmuls(new float[][] {new float[2], new float[3]}, new float[3],
                new Matrix[] {w, new F32Matrix(new float[6], 3, 2)}, 1));
        bad.put("matmuls out short", k -> k.matmuls(new float[][] {new float[2], new float[1]}, new float[3],
                new Matrix[] {w, w}, 1));
        bad.put("rmsnorm dim 0", k -> k.rmsnorm(new float[4], new float[4], new float[4], 1, 0, 1e-5f));
        bad.put("rmsnorm tokens -1", k -> k.rmsnorm(new float[4], new float[4], new float[4], -1, 4, 1e-5f));
        bad.put("rmsnorm x short", k -> k.rmsnorm(new float[8], new float[7], new float[4], 2, 4, 1e-5f));
        bad.put("rmsnorm out short", k -> k.rmsnorm(new float[7], new float[8], new float[4], 2, 4, 1e-5f));
        bad.put("rmsnorm weight short", k -> k.rmsnorm(new float[8], new float[8], new float[3], 2, 4, 1e-5f));
        bad.put("rope rotaryDim 0", k -> k.rope(new float[8], 1, 1, 8, new int[1], Rope.adjacent(0, 1e4)));
        bad.put("rope rotaryDim -2", k -> k.rope(new float[8], 1, 1, 8, new int[1], Rope.adjacent(-2, 1e4)));
        bad.put("rope rotaryDim odd", k -> k.rope(new float[8], 1, 1, 8, new int[1], Rope.adjacent(3, 1e4)));
        bad.put("rope rotaryDim > headDim", k -> k.rope(new float[8], 1, 1, 8, new int[1], Rope.adjacent(10, 1e4)));
        bad.put("rope heads 0", k -> k.rope(new float[8], 1, 0, 8, new int[1], Rope.adjacent(8, 1e4)));
        bad.put("rope x short", k -> k.rope(new float[15], 2, 1, 8, new int[2], Rope.adjacent(8, 1e4)));
        bad.put("rope positions short", k -> k.rope(new float[16], 2, 1, 8, new int[1], Rope.adjacent(8, 1e4)));
        bad.put("swiglu n -1", k -> k.swiglu(new float[4], new float[4], new float[4], -1));
        bad.put("swiglu gate short", k -> k.swiglu(new float[4], new float[3], new float[4], 4));
        bad.put("swiglu up short", k -> k.swiglu(new float[4], new float[4], new float[3], 4));
        bad.put("swiglu out short", k -> k.swiglu(new float[3], new float[4], new float[4], 4));
        bad.put("attention q short", k -> k.attention(AttentionShape.causal(2, 2, 2, 1, 4), new float[15],
                new float[8], new float[8], new float[16], new float[4]));
        bad.put("attention halves k short", k -> k.attention(AttentionShape.causal(1, 2, 2, 1, 4), new float[8],
                new short[7], new short[8], new float[8], new float[2]));
        bad.put("attention halves v short", k -> k.attention(AttentionShape.causal(1, 2, 2, 1, 4), new float[8],
                new short[8], new short[7], new float[8], new float[2]));
        bad.put("scorePages kvHeads 0", k -> k.scorePages(new float[8], new float[8], new float[8], new float[2],
                1, 1, 2, 0, 4));
        bad.put("scorePages heads 3, kvHeads 2", k -> k.scorePages(new float[12], new float[8], new float[8],
                new float[3], 1, 1, 3, 2, 4));
        bad.put("scorePages headDim 0", k -> k.scorePages(new float[8], new float[8], new float[8], new float[2],
                1, 1, 2, 1, 0));
        bad.put("scorePages q short", k -> k.scorePages(new float[7], new float[4], new float[4], new float[2],
                1, 1, 2, 1, 4));
        bad.put("scorePages pageMin short", k -> k.scorePages(new float[8], new float[7], new float[8],
                new float[4], 1, 2, 2, 1, 4));
        bad.put("scorePages pageMax short", k -> k.scorePages(new float[8], new float[8], new float[7],
                new float[4], 1, 2, 2, 1, 4));
        bad.put("scorePages scores short", k -> k.scorePages(new float[8], new float[8], new float[8],
                new float[3], 1, 2, 2, 1, 4));
        return bad;
    }

    @Test
    void rejectsTheSameBadArgumentsAsTheReference() {
        for (Map.Entry<String, Consumer<Kernels>> call : badCalls().entrySet()) {
            IllegalArgumentException expect = assertThrows(IllegalArgumentException.class,
                    () -> call.getValue().accept(ref), "reference accepts " + call.getKey());
            IllegalArgumentException got = assertThrows(IllegalArgumentException.class,
                    () -> call.getValue().accept(kernels), call.getKey() + " accepted" + where());
            assertEquals(expect.getMessage(), got.getMessage(), call.getKey() + where());
        }
    }

    // ---- concurrency ----

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        int threads = 4;
        Matrix w = new F32Matrix(random(96 * 200, 1), 96, 200);
        AttentionShape s = AttentionShape.causal(20, 50, 4, 2, 16);
        List<float[]> xs = new ArrayList<>();
        List<float[]> qs = new ArrayList<>();
        float[] k = random(50 * 2 * 16, 1);
        float[] v = random(50 * 2 * 16, 1);
        for (int i = 0; i < threads; i++) {
            xs.add(random(9 * 200, 1));
            qs.add(random(20 * 4 * 16, 1));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int idx = i;
                results.add(pool.submit(() -> {
                    float[] out = new float[9 * 96];
                    float[] ao = new float[20 * 4 * 16];
                    float[] lse = new float[20 * 4];
                    for (int rep = 0; rep < 5; rep++) {
                        kernels.matmul(out, xs.get(idx), w, 9);
                        kernels.attention(s, qs.get(idx), k, v, ao, lse);
                    }
                    return new float[][] {out, ao};
                }));
            }
            for (int i = 0; i < threads; i++) {
                float[][] got = results.get(i).get();
                float[] out = new float[9 * 96];
                float[] ao = new float[20 * 4 * 16];
                float[] lse = new float[20 * 4];
                kernels.matmul(out, xs.get(i), w, 9);
                kernels.attention(s, qs.get(i), k, v, ao, lse);
                assertTrue(java.util.Arrays.equals(out, got[0]), "concurrent matmul differs for caller " + i + where());
                assertTrue(java.util.Arrays.equals(ao, got[1]), "concurrent attention differs for caller " + i + where());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----

    protected void assertAllClose(float[] expect, float[] actual, double rel, String what) {
        for (int i = 0; i < expect.length; i++) {
            assertClose(expect[i], actual[i], rel * Math.abs(expect[i]) + 1e-6, what + " at " + i);
        }
    }

    protected void assertClose(double expect, double actual, double tol, String what) {
        if (!(Math.abs(expect - actual) <= tol)) {
            fail(what + ": expected " + expect + " got " + actual + " (tolerance " + tol + ")" + where());
        }
    }
}
