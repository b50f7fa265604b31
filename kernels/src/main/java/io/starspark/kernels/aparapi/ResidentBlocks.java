package io.starspark.kernels.aparapi;

import com.aparapi.Range;
import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockForward;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.LayerStack;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.kernels.Rope;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Aparapi backend's device-resident block forward ({@link BlockForward}). Per layer stack (per model), one
 * {@link BlockKernel} ({@link BlockKernelCpu} on CPU devices, {@link BlockKernelGpu} on GPUs) holds every buffer: all layers' weights packed once into resident arrays (F32, F16 pairs,
 * Q8_0 quants and scales, norms and biases) with per-matrix offsets, the residual stream, a scratch arena for the
 * activations, the RoPE angles and the kept K/V. A block then moves: embeddings and angles in; kept K/V (and the
 * last hidden state when asked) out. Bytes are counted in the owner's {@link AparapiKernels#traffic()}.
 *
 * <p>Aparapi re-creates a buffer from the host array when the JVM moved the array between two executes; on a
 * device with its own memory the arena's device contents would then be lost. G1 never moves humongous arrays,
 * so there the resident scratch arrays are made at least half a G1 region long; with another collector the
 * device path is refused on such devices (the host-array path runs instead, said loudly by the caller).
 */
final class ResidentBlocks implements BlockForward {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int MATS = 7; // wq, wk, wv, wo, gate, up, down
    private static final int WQ = 0;
    private static final int WK = 1;
    private static final int WV = 2;
    private static final int WO = 3;
    private static final int GATE = 4;
    private static final int UP = 5;
    private static final int DOWN = 6;
    private final AparapiKernels owner;
    private final WorkGroups groups;
    private final boolean sharedMemory;
    private final int minScratchFloats;
    private final Map<Matrix, Resident> stacks = Collections.synchronizedMap(new WeakHashMap<>());
    /** Every matrix of a resident stack: its stack and index there (the per-call matmul runs on that copy). */
    private final Map<Matrix, Slot> slots = Collections.synchronizedMap(new WeakHashMap<>());

    private record Slot(Resident resident, int index) {
    }
    private final AtomicLong blocks;
    /** Launch names, by the index {@link #nanos} counts them under: the GEMMs by matrix, then the other ops. */
    static final String[] LAUNCHES = {"wq", "wk", "wv", "wo", "gate", "up", "down", "norm", "rope", "keep",
        "transpose-keys", "attention"};
    private static final int L_NORM = MATS;
    private static final int L_ROPE = MATS + 1;
    private static final int L_KEEP = MATS + 2;
    private static final int L_TRANSPOSE = MATS + 3;
    private static final int L_ATTENTION = MATS + 4;
    private final AtomicLong[] nanos = new AtomicLong[LAUNCHES.length];
    /** Process CPU time over the same launches: on a CPU device, the device's threads' time, which other processes on a shared machine do not stretch. */
    private final AtomicLong[] cpuNanos = new AtomicLong[LAUNCHES.length];
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    ResidentBlocks(AparapiKernels owner, WorkGroups groups, boolean sharedMemory, AtomicLong blocks) {
        this.owner = owner;
        this.blocks = blocks;
        this.groups = groups;
        this.sharedMemory = sharedMemory;
        this.minScratchFloats = sharedMemory ? 1 : humongousFloats();
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = new AtomicLong();
            cpuNanos[i] = new AtomicLong();
        }
    }

    /** Nanoseconds spent in each kind of launch ({@link #LAUNCHES}) since the backend was made: wall, or process CPU. */
    long[] launchNanos(boolean cpu) {
        long[] n = new long[nanos.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = (cpu ? cpuNanos : nanos)[i].get();
        }
        return n;
    }

    /** Executes the kernel (Aparapi's execute returns when the device is done) and counts its time under {@code what}. */
    private void launch(BlockKernel b, int what, Range range) {
        long c0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        owner.execute(b, range);
        nanos[what].addAndGet(System.nanoTime() - t0);
        cpuNanos[what].addAndGet(OS.getProcessCpuTime() - c0);
    }

    /**
     * The length of a block's scratch array (residual stream, kept K/V) that holds {@code floats}: on a device with its
     * own memory at least G1's humongous size, so that the collector never moves it; Aparapi moves whole arrays.
     */
    long scratchFloats(long floats) {
        return Math.max(floats, minScratchFloats);
    }

    /** Floats of an array G1 allocates as humongous (never moved), or 0 when the JVM does not run G1. */
    private static int humongousFloats() {
        boolean g1 = false;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            g1 |= gc.getName().startsWith("G1");
        }
        if (!g1) {
            return 0;
        }
        com.sun.management.HotSpotDiagnosticMXBean hs =
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        long region = Long.parseLong(hs.getVMOption("G1HeapRegionSize").getValue());
        return (int) (region / 2 / 4) + 1;
    }

    @Override
    public String unsupported(LayerStack s, int tokens) {
        if (!sharedMemory && minScratchFloats == 0) {
            return "the device has its own memory and this JVM's collector may move the resident scratch arrays"
                    + " (Aparapi would then re-upload stale host copies); run the JVM with G1 (the default)";
        }
        if (!groups.columns() && s.headDim() > BlockKernel.MAX_HEAD_DIM) {
            return "head dim " + s.headDim() + " exceeds the " + BlockKernel.MAX_HEAD_DIM
                    + " the tiled attention holds in local memory";
        }
        if (Layout.of(s, tokens, groups.columns()).total > Integer.MAX_VALUE - 8
                || (long) tokens * s.heads() * (BlockKernel.CPU_TILE_KEYS + s.headDim()) > Integer.MAX_VALUE - 8) {
            return "a block of " + tokens + " tokens needs more device scratch than one Java array holds";
        }
        long[] sizes = Packing.sizes(s, groups.columns());
        for (long n : sizes) {
            if (n > Integer.MAX_VALUE - 8) {
                return "the layers' weights of one type exceed what one Java array holds (" + n + " elements)";
            }
        }
        return null;
    }

    @Override
    public void run(LayerStack stack, float[] x, int tokens, int[] positions, int keepFrom, float[][] k, float[][] v,
                    boolean hiddenBack) {
        String why = unsupported(stack, tokens);
        if (why != null) {
            throw new IllegalArgumentException("aparapi block forward: " + why);
        }
        if (tokens < 1 || positions.length < tokens || keepFrom < 0 || keepFrom > tokens
                || k.length != stack.layers().size() || v.length != stack.layers().size()) {
            throw new IllegalArgumentException("block forward of " + tokens + " tokens keeping from " + keepFrom
                    + ": need as many positions and K/V arrays for each of the " + stack.layers().size() + " layers");
        }
        Resident r;
        synchronized (stacks) {
            r = stacks.get(stack.layers().get(0).wq());
            if (r == null || !r.holds(stack)) {
                if (r != null) {
                    r.release();
                }
                r = new Resident(stack);
                stacks.put(stack.layers().get(0).wq(), r);
                for (int l = 0; l < stack.layers().size(); l++) {
                    Matrix[] ms = stack.layers().get(l).matrices();
                    for (int m = 0; m < MATS; m++) {
                        slots.put(ms[m], new Slot(r, l * MATS + m));
                        owner.dropMatrix(ms[m]); // its own per-call copy, if a matmul made one before
                    }
                }
                Resident made = r;
                CLEANER.register(stack.layers().get(0).wq(), made::release);
            }
        }
        synchronized (r) {
            r.run(stack, x, tokens, positions, keepFrom, k, v, hiddenBack);
        }
        blocks.incrementAndGet();
    }

    /**
     * The per-call matmul {@code out = x · w^T} on the copy of {@code w} a resident stack holds: false when no
     * resident stack holds w (the caller then uploads w on its own). Weights are resident once per JVM either way.
     */
    boolean matmul(float[] out, float[] x, Matrix w, int tokens) {
        Slot slot = slots.get(w);
        return slot != null && slot.resident().matmul(slot.index(), out, x, tokens);
    }

    void close() {
        synchronized (stacks) {
            for (Resident r : stacks.values()) {
                r.release();
            }
            stacks.clear();
        }
    }

    /** Offsets of the activation regions in the arena, for a block of {@code tokens}. */
    private record Layout(int xb, int q, int k, int v, int att, int lse, int proj, int gate, int up, int kt,
                          long total) {
        static Layout of(LayerStack s, int tokens, boolean cpu) {
            long t = tokens;
            long[] widths = {s.dim(), s.qDim(), s.kvDim(), s.kvDim(), s.qDim(), s.heads(), s.dim(), s.ffnDim(),
                s.ffnDim(), cpu ? s.kvDim() : 0};
            long[] at = new long[widths.length];
            long sum = 0;
            for (int i = 0; i < widths.length; i++) {
                at[i] = sum;
                sum += t * widths[i];
            }
            if (sum > Integer.MAX_VALUE - 8) {
                return new Layout(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum);
            }
            return new Layout((int) at[0], (int) at[1], (int) at[2], (int) at[3], (int) at[4], (int) at[5], (int) at[6],
                    (int) at[7], (int) at[8], (int) at[9], sum);
        }
    }

    /** How each matrix is stored on the device: its type, and sizes per type. */
    private static final class Packing {
        private Packing() {
        }

        /** GEMM weight type of {@code w} on this device (all widened to F32 on CPU devices, like the matmul path). */
        static int dtype(Matrix w, boolean transposed) {
            if (transposed) {
                return BlockKernel.DTYPE_F32;
            }
            if (w instanceof F16Matrix) {
                return BlockKernel.DTYPE_F16;
            }
            return w instanceof Q8Matrix ? BlockKernel.DTYPE_Q8 : BlockKernel.DTYPE_F32;
        }

        /** Elements of {F32 floats, F16 halves, Q8 quants, Q8 scales, vector floats} over the whole stack. */
        static long[] sizes(LayerStack s, boolean transposed) {
            long[] n = new long[5];
            for (LayerStack.Layer l : s.layers()) {
                for (Matrix w : l.matrices()) {
                    long e = (long) w.rows() * w.cols();
                    int d = dtype(w, transposed);
                    if (d == BlockKernel.DTYPE_F16) {
                        n[1] += e + (e & 1);
                    } else if (d == BlockKernel.DTYPE_Q8) {
                        n[2] += e;
                        n[3] += e / Q8Matrix.BLOCK;
                    } else {
                        n[0] += transposed ? (long) w.cols() * Transpose.stride(w.rows()) : e;
                    }
                }
                for (float[] a : vectors(l)) {
                    n[4] += a == null ? 0 : a.length;
                }
            }
            return n;
        }

        /** attnNorm, ffnNorm, bq, bk, bv, qNorm, kNorm (null when absent). */
        static float[][] vectors(LayerStack.Layer l) {
            return new float[][] {l.attnNorm(), l.ffnNorm(), l.bq(), l.bk(), l.bv(), l.qNorm(), l.kNorm()};
        }
    }

    /** One stack's kernel, its resident weights and the block scratch. */
    private final class Resident {
        final BlockKernel kernel = groups.columns() ? new BlockKernelCpu() : new BlockKernelGpu();
        private final WeakReference<Matrix>[] matrices;
        private final int layers;
        private final int[] rows; // [layers·7]
        private final int[] cols; // [layers·7]
        private final int[] dtype; // [layers·7]
        private final int[] wOff; // [layers·7]
        private final int[] sOff; // [layers·7]
        private final int[] vOff; // [layers·7] attnNorm, ffnNorm, bq, bk, bv, qNorm, kNorm; -1 when absent
        private int capacity; // tokens the arena holds
        private boolean released;

        @SuppressWarnings("unchecked")
        Resident(LayerStack s) {
            boolean t = groups.columns();
            layers = s.layers().size();
            matrices = new WeakReference[layers * MATS];
            dtype = new int[layers * MATS];
            rows = new int[layers * MATS];
            cols = new int[layers * MATS];
            wOff = new int[layers * MATS];
            sOff = new int[layers * MATS];
            vOff = new int[layers * MATS];
            long[] n = Packing.sizes(s, t);
            float[] wf = new float[(int) Math.max(1, n[0])];
            int[] wh = new int[(int) Math.max(1, n[1] / 2)];
            byte[] wq = new byte[(int) Math.max(1, n[2])];
            float[] ws = new float[(int) Math.max(1, n[3])];
            float[] vec = new float[(int) Math.max(1, n[4])];
            int[] at = new int[5];
            for (int l = 0; l < layers; l++) {
                LayerStack.Layer layer = s.layers().get(l);
                Matrix[] ms = layer.matrices();
                for (int m = 0; m < MATS; m++) {
                    int i = l * MATS + m;
                    Matrix w = ms[m];
                    matrices[i] = new WeakReference<>(w);
                    rows[i] = w.rows();
                    cols[i] = w.cols();
                    int d = Packing.dtype(w, t);
                    dtype[i] = d;
                    if (d == BlockKernel.DTYPE_F16) {
                        short[] h = ((F16Matrix) w).data();
                        wOff[i] = at[1];
                        for (int e = 0; e < h.length; e++) {
                            int p = at[1] + e;
                            wh[p >> 1] |= (h[e] & 0xffff) << ((p & 1) * 16);
                        }
                        at[1] += h.length + (h.length & 1);
                    } else if (d == BlockKernel.DTYPE_Q8) {
                        Q8Matrix q = (Q8Matrix) w;
                        wOff[i] = at[2];
                        sOff[i] = at[3];
                        byte[] quants = q.rowMajorQuants(); // the device kernels index [rows][cols]
                        float[] scales = q.rowMajorScales();
                        System.arraycopy(quants, 0, wq, at[2], quants.length);
                        System.arraycopy(scales, 0, ws, at[3], scales.length);
                        at[2] += quants.length;
                        at[3] += scales.length;
                    } else {
                        float[] f = w instanceof F32Matrix fm ? fm.data() : AparapiKernels.widen(w);
                        wOff[i] = at[0];
                        if (t) {
                            Transpose.into(f, w.rows(), w.cols(), wf, at[0]);
                            at[0] += w.cols() * Transpose.stride(w.rows());
                        } else {
                            System.arraycopy(f, 0, wf, at[0], w.rows() * w.cols());
                            at[0] += w.rows() * w.cols();
                        }
                    }
                }
                float[][] vs = Packing.vectors(layer);
                for (int j = 0; j < vs.length; j++) {
                    if (vs[j] == null) {
                        vOff[l * MATS + j] = -1;
                    } else {
                        vOff[l * MATS + j] = at[4];
                        System.arraycopy(vs[j], 0, vec, at[4], vs[j].length);
                        at[4] += vs[j].length;
                    }
                }
            }
            BlockKernel b = kernel;
            owner.prepare(b);
            b.side = groups.gemmSide();
            b.wf = wf;
            b.wh = wh;
            b.wq = wq;
            b.ws = ws;
            b.vec = vec;
            b.halfScale = AparapiKernels.halfScales();
            b.x = new float[1];
            b.act = new float[1];
            b.trig = new float[1];
            b.kv = new float[1];
            b.sc = new float[1];
            b.attX = 0;
            b.causalOffset = 0;
            b.put(wf).put(wh).put(wq).put(ws).put(vec).put(b.halfScale);
            owner.weightsUploaded(4L * wf.length + 4L * wh.length + wq.length + 4L * ws.length + 4L * vec.length);
        }

        /** Frees the device buffers (once; the model's matrices were collected, replaced, or the backend closed). */
        synchronized void release() {
            if (!released) {
                released = true;
                slots.values().removeIf(slot -> slot.resident() == this);
                kernel.dispose();
            }
        }

        /**
         * Matrix {@code i} times the host array x into out, on this kernel with x and out swapped in for the block's
         * residual stream and arena (a block puts what it reads before it runs, so they need not survive); false
         * when released.
         */
        synchronized boolean matmul(int i, float[] out, float[] xIn, int tokens) {
            if (released) {
                return false;
            }
            BlockKernel b = kernel;
            float[] blockX = b.x;
            float[] blockAct = b.act;
            b.x = xIn;
            b.act = out;
            b.tokens = tokens;
            b.gInX = 1;
            b.epi = BlockKernel.EPI_STORE;
            owner.put(b, xIn);
            owner.putIfLonger(b, out, (long) tokens * rows[i]);
            gemmInto(i, 0, 0, false);
            owner.get(b, out);
            b.x = blockX;
            b.act = blockAct;
            b.gInX = 0;
            return true;
        }

        /** Whether this upload is of exactly {@code s}'s matrices. */
        boolean holds(LayerStack s) {
            if (s.layers().size() != layers) {
                return false;
            }
            for (int l = 0; l < layers; l++) {
                Matrix[] ms = s.layers().get(l).matrices();
                for (int m = 0; m < MATS; m++) {
                    if (matrices[l * MATS + m].get() != ms[m]) {
                        return false;
                    }
                }
            }
            return true;
        }

        private float[] scratch(int floats) {
            return new float[(int) scratchFloats(floats)];
        }

        /** {@code a} when it is already the scratch array for {@code floats}, else a new one. */
        private float[] scratchFor(float[] a, long floats) {
            return a.length == scratchFloats(floats) ? a : scratch((int) floats);
        }

        void run(LayerStack s, float[] xIn, int tokens, int[] positions, int keepFrom, float[][] kOut, float[][] vOut,
                 boolean hiddenBack) {
            BlockKernel b = kernel;
            boolean cpu = groups.columns();
            Layout a = Layout.of(s, tokens, cpu);
            if (tokens > capacity) {
                capacity = tokens;
                b.act = scratch((int) a.total);
                if (cpu) {
                    b.sc = new float[tokens * s.heads() * (BlockKernel.CPU_TILE_KEYS + s.headDim())]; // device-only
                }
            }
            int dim = s.dim();
            int keepN = tokens - keepFrom;
            int kvDim = s.kvDim();
            b.x = scratchFor(b.x, tokens * dim);
            b.kv = scratchFor(b.kv, Math.max(1, 2L * layers * keepN * kvDim));
            System.arraycopy(xIn, 0, b.x, 0, tokens * dim);
            b.trig = angles(s.rope(), positions, tokens);
            b.tokens = tokens;
            owner.put(b, b.x);
            owner.put(b, b.trig);
            for (int l = 0; l < layers; l++) {
                layer(s, l, a, keepFrom, keepN);
            }
            if (keepN > 0) {
                owner.get(b, b.kv);
                int n = keepN * kvDim;
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(b.kv, 2 * l * n, kOut[l], 0, n);
                    System.arraycopy(b.kv, (2 * l + 1) * n, vOut[l], 0, n);
                }
            }
            if (hiddenBack) {
                owner.get(b, b.x);
                System.arraycopy(b.x, 0, xIn, 0, tokens * dim);
            }
        }

        private void layer(LayerStack s, int l, Layout a, int keepFrom, int keepN) {
            BlockKernel b = kernel;
            int t = b.tokens;
            int base = l * MATS;
            norm(1, 0, a.xb(), t, s.dim(), vOff[base], s.eps());
            gemm(l, WQ, a.xb(), a.q(), vOff[base + 2]);
            gemm(l, WK, a.xb(), a.k(), vOff[base + 3]);
            gemm(l, WV, a.xb(), a.v(), vOff[base + 4]);
            if (vOff[base + 5] >= 0) {
                norm(0, a.q(), a.q(), t * s.heads(), s.headDim(), vOff[base + 5], s.eps());
            }
            if (vOff[base + 6] >= 0) {
                norm(0, a.k(), a.k(), t * s.kvHeads(), s.headDim(), vOff[base + 6], s.eps());
            }
            rope(s, a.q(), s.heads());
            rope(s, a.k(), s.kvHeads());
            b.attentionOp(AttentionShape.causal(t, t, s.heads(), s.kvHeads(), s.headDim()), a.q(), a.k(), a.kt(), a.v(),
                    a.att(), a.lse(), 0);
            if (keepN > 0) {
                b.op = BlockKernel.OP_KEEP;
                b.keepFrom = keepFrom;
                b.keepN = keepN;
                b.kvOut = 2 * l * keepN * s.kvDim();
                launch(b, L_KEEP, owner.oneD(keepN * s.kvDim()));
            }
            attention(s, t);
            b.epi = BlockKernel.EPI_RESIDUAL;
            gemmInto(l, WO, a.att(), a.proj());
            norm(1, 0, a.xb(), t, s.dim(), vOff[base + 1], s.eps());
            gemm(l, GATE, a.xb(), a.gate(), -1);
            b.epi = BlockKernel.EPI_SWIGLU;
            b.epiOff = a.gate();
            gemmInto(l, UP, a.xb(), a.up());
            b.epi = BlockKernel.EPI_RESIDUAL;
            gemmInto(l, DOWN, a.up(), a.proj());
        }

        private void norm(int fromX, int in, int out, int rows, int dim, int weight, float eps) {
            kernel.normOp(fromX, in, out, rows, dim, weight, eps);
            launch(kernel, L_NORM, owner.oneD(rows));
        }

        /** A GEMM with a plain store, or a bias add when {@code bias >= 0}. */
        private void gemm(int l, int m, int in, int out, int bias) {
            kernel.epi = bias >= 0 ? BlockKernel.EPI_BIAS : BlockKernel.EPI_STORE;
            kernel.epiOff = bias;
            gemmInto(l, m, in, out);
        }

        /** A GEMM of layer l's matrix m through the epilogue already set on the kernel. */
        private void gemmInto(int l, int m, int in, int out) {
            gemmInto(l * MATS + m, in, out, true);
        }

        /** A GEMM of matrix i (layer·7 + m) through the epilogue already set on the kernel; timed when in a block. */
        private void gemmInto(int i, int in, int out, boolean block) {
            BlockKernel b = kernel;
            b.op = BlockKernel.OP_GEMM;
            b.gIn = in;
            b.gOut = out;
            b.gRows = rows[i];
            b.gCols = cols[i];
            b.gW = wOff[i];
            b.gStride = Transpose.stride(rows[i]);
            b.gS = sOff[i];
            b.dtype = dtype[i];
            b.mode = owner.gemmMode(b.tokens);
            Range range = owner.gemmRange(b.mode, rows[i], b.tokens);
            if (block) {
                launch(b, i % MATS, range);
            } else {
                owner.execute(b, range);
            }
        }

        private void rope(LayerStack s, int off, int heads) {
            kernel.ropeOp(s.rope(), off, heads, s.headDim());
            launch(kernel, L_ROPE, owner.oneD(kernel.tokens * heads * s.rope().pairs()));
        }

        /** The layer's attention, set up by {@link BlockKernel#attentionOp} (the keep op ran in between). */
        private void attention(LayerStack s, int t) {
            BlockKernel b = kernel;
            Range range;
            if (groups.columns()) {
                b.op = BlockKernel.OP_TRANSPOSE_KEYS;
                launch(b, L_TRANSPOSE, owner.oneD(t * s.kvDim()));
                range = owner.oneD(t * s.heads());
            } else {
                int group = groups.attentionGroup(s.headDim(), t);
                b.group = group;
                b.blocksPerHead = (t + group - 1) / group;
                range = owner.device().createRange(s.heads() * b.blocksPerHead * group, group);
            }
            b.op = BlockKernel.OP_ATTENTION;
            launch(b, L_ATTENTION, range);
        }
    }

    /** {@code [tokens][pairs]} cos then sin of each position's angles, computed in double like the matmul path. */
    static float[] angles(Rope spec, int[] positions, int tokens) {
        int pairs = spec.pairs();
        float[] trig = new float[2 * tokens * pairs];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < pairs; i++) {
                double angle = positions[t] * spec.frequency(i);
                trig[t * pairs + i] = (float) Math.cos(angle);
                trig[tokens * pairs + t * pairs + i] = (float) Math.sin(angle);
            }
        }
        return trig;
    }
}
