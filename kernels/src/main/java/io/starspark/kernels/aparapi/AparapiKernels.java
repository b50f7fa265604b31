package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.kernel.KernelManager;
import com.aparapi.Range;
import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockForward;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.kernels.Rope;
import io.starspark.kernels.Shapes;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernels on OpenCL through Aparapi: PoCL on CPU in CI, a GPU where OpenCL lists one. Every
 * execute is checked to have run on OpenCL (Aparapi's fallback to Java threads is silent and was
 * wrong, PLATFORM.md); a fallback throws.
 *
 * <p>Device memory is managed explicitly ({@code setExplicit(true)}): each kernel puts exactly the
 * arrays a call reads and gets the arrays it writes. Weights stay resident: every {@link Matrix} gets
 * its own GEMM kernel ({@link BlockKernelCpu} / {@link BlockKernelGpu}, the kernels of the device-resident block
 * forward, with this matrix alone as their weights) whose weight buffers are uploaded once, in the stored type (F16 and Q8_0
 * are dequantized in the kernel; the block types Q4_0..Q6_K are widened to F32 through
 * {@link Matrix#loadRow} at upload), and released when the matrix is garbage-collected or the backend
 * closed; a matmul then moves only x in and out back. Bytes moved are counted ({@link #traffic()}).
 * The {@link Kernels} interface takes host arrays, so activations and K/V cross the bus on every call; a whole
 * block through all layers keeps them on the device instead ({@link #blockForward()}, {@link ResidentBlocks}).
 *
 * <p>Work-group sizes come from the device's limits ({@link WorkGroups}). One instance per kernel
 * class per backend; calls of the same kernel (or the same matrix) are serialised on it.
 */
public final class AparapiKernels implements Kernels, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AparapiKernels.class);
    private static final Cleaner CLEANER = Cleaner.create();
    /** On a GPU, below this many tokens a matmul uses row-dot mode (a token tile would be mostly padding). */
    private static final int TILED_MIN_TOKENS = 8;
    private final OpenCLDevice device;
    private final WorkGroups groups;
    private final RmsnormKernel rmsnorm = new RmsnormKernel();
    private final RopeKernel rope = new RopeKernel();
    private final SwigluKernel swiglu = new SwigluKernel();
    private final AttentionKernel attention = new AttentionKernel();
    private final ScorePagesKernel scorePages = new ScorePagesKernel();
    private final Map<Matrix, BlockKernel> matrices = Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<BlockKernel> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong weightBytes = new AtomicLong();
    private final AtomicLong toDevice = new AtomicLong();
    private final AtomicLong fromDevice = new AtomicLong();
    private final AtomicLong blocks = new AtomicLong();
    private final ResidentBlocks resident;
    private static final float[] ONE = new float[1];
    private float[] attentionScratch = new float[1]; // guarded by attention

    /**
     * Bytes moved between host and device since the backend was made (weights counted once, when uploaded), and
     * the blocks run by the device-resident {@link #blockForward()}.
     */
    public record Traffic(long weightBytesUploaded, long bytesToDevice, long bytesFromDevice, long residentBlocks) {
        public Traffic minus(Traffic earlier) {
            return new Traffic(weightBytesUploaded - earlier.weightBytesUploaded, bytesToDevice - earlier.bytesToDevice,
                    bytesFromDevice - earlier.bytesFromDevice, residentBlocks - earlier.residentBlocks);
        }
    }

    private AparapiKernels(OpenCLDevice device, boolean forceTiled) {
        this.device = device;
        this.groups = WorkGroups.of(device, forceTiled);
        for (Kernel k : smallKernels()) {
            prepare(k);
        }
        this.resident = new ResidentBlocks(this, groups, device.getType() == com.aparapi.device.Device.TYPE.CPU,
                blocks);
        LOG.info("kernels: aparapi work-groups on {}: {}", deviceName(), groups);
    }

    private Kernel[] smallKernels() {
        return new Kernel[] {rmsnorm, rope, swiglu, attention, scorePages};
    }

    void prepare(Kernel k) {
        LinkedHashSet<com.aparapi.device.Device> only = new LinkedHashSet<>();
        only.add(device);
        KernelManager.instance().setPreferredDevices(k, only);
        k.setExplicit(true);
    }

    /** On the JVM's OpenCL device; throws IllegalStateException naming the problem when there is none. */
    public static AparapiKernels create() {
        return new AparapiKernels(OpenClDevices.device(), false);
    }

    /**
     * With the GPU's modes even on a CPU device (tiled GEMM, local-memory attention): lets PoCL test the path GPUs
     * take. For tests; slower than {@link #create()} on a CPU.
     */
    public static AparapiKernels createTiled() {
        return new AparapiKernels(OpenClDevices.device(), true);
    }

    public String deviceName() {
        return OpenClDevices.describe(device);
    }

    @Override
    public String name() {
        return "aparapi-opencl";
    }

    /** Bytes moved so far; subtract two snapshots for the bytes of one forward or block. */
    public Traffic traffic() {
        return new Traffic(weightBytes.get(), toDevice.get(), fromDevice.get(), blocks.get());
    }

    /** The device-resident forward of whole blocks (activations stay on the device across layers). */
    @Override
    public Optional<BlockForward> blockForward() {
        return Optional.of(resident);
    }

    OpenCLDevice device() {
        return device;
    }

    void weightsUploaded(long bytes) {
        weightBytes.addAndGet(bytes);
    }

    /** True when F16 weights are widened to F32 at upload (CPU devices), false when the kernel converts them. */
    public boolean widensHalves() {
        return groups.columns();
    }

    /** Weight matrices now resident on the device. */
    public int residentMatrices() {
        return live.size();
    }

    void execute(Kernel k, Range range) {
        k.execute(range);
        if (!k.isRunningCL() || k.getTargetDevice() != device) {
            throw new IllegalStateException("aparapi kernel " + k.getClass().getSimpleName()
                    + " did not run on OpenCL device " + deviceName() + " (ran on " + k.getTargetDevice()
                    + "); see Aparapi's warning above for why it fell back");
        }
    }

    void put(Kernel k, float[] a) {
        k.put(a);
        toDevice.addAndGet(4L * a.length);
    }

    private void put(Kernel k, int[] a) {
        k.put(a);
        toDevice.addAndGet(4L * a.length);
    }

    /**
     * A get returns the whole array: when {@code a} is longer than the call writes, put it first so that
     * the elements past the output come back as they were.
     */
    private void putIfLonger(Kernel k, float[] a, long written) {
        if (a.length > written) {
            put(k, a);
        }
    }

    void get(Kernel k, float[] a) {
        k.get(a);
        fromDevice.addAndGet(4L * a.length);
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        Shapes.matmul(out, x, w, tokens);
        BlockKernel g = matrices.computeIfAbsent(w, this::upload);
        synchronized (g) {
            g.act = out; // the GEMM reads x (gInX = 1) and stores into act: here the caller's arrays
            g.x = x;
            g.tokens = tokens;
            put(g, x);
            putIfLonger(g, out, (long) tokens * w.rows());
            g.mode = gemmMode(tokens);
            execute(g, gemmRange(g.mode, w.rows(), tokens));
            get(g, out);
            g.act = null;
            g.x = null;
        }
    }

    /** GEMM mode for {@code tokens}: columns on CPU devices; on GPUs row-dot for a few tokens, else tiled. */
    int gemmMode(int tokens) {
        if (groups.columns()) {
            return BlockKernel.MODE_COLUMNS;
        }
        return tokens < TILED_MIN_TOKENS ? BlockKernel.MODE_ROW_DOT : BlockKernel.MODE_TILED;
    }

    /** The range of a GEMM in {@code mode} over {@code rows} outputs of {@code tokens} tokens. */
    Range gemmRange(int mode, int rows, int tokens) {
        if (mode == BlockKernel.MODE_COLUMNS) {
            int blocks = (tokens + BlockKernel.COLUMN_TOKENS - 1) / BlockKernel.COLUMN_TOKENS;
            int rowBlocks = (rows + BlockKernel.COLUMN_ROWS - 1) / BlockKernel.COLUMN_ROWS;
            return device.createRange2D(WorkGroups.roundUp(rowBlocks, groups.columnRows()),
                    WorkGroups.roundUp(blocks, groups.columnTokenBlocks()), groups.columnRows(),
                    groups.columnTokenBlocks());
        }
        if (mode == BlockKernel.MODE_ROW_DOT) {
            return device.createRange(WorkGroups.roundUp(tokens * rows, groups.rowDot()), groups.rowDot());
        }
        int side = groups.gemmSide();
        int tile = 4 * side;
        return device.createRange2D(WorkGroups.roundUp(rows, tile) / 4, WorkGroups.roundUp(tokens, tile) / 4, side, side);
    }

    /** A kernel holding {@code w} on the device, uploaded now, released with w or with this backend. */
    private BlockKernel upload(Matrix w) {
        BlockKernel g = groups.columns() ? new BlockKernelCpu() : new BlockKernelGpu();
        prepare(g);
        g.op = BlockKernel.OP_GEMM;
        g.gInX = 1;
        g.epi = BlockKernel.EPI_STORE;
        g.gRows = w.rows();
        g.gCols = w.cols();
        g.vec = new float[1];
        g.trig = new float[1];
        g.kv = new float[1];
        g.side = groups.gemmSide();
        g.halfScale = halfScales();
        g.wf = new float[1];
        g.wh = new int[1];
        g.wq = new byte[1];
        g.ws = new float[1];
        boolean t = groups.columns();
        g.transposed = t ? 1 : 0;
        long bytes;
        if (w instanceof F16Matrix h && !t) {
            g.dtype = BlockKernel.DTYPE_F16;
            g.wh = packHalves(h.data());
            bytes = 4L * g.wh.length;
        } else if (w instanceof Q8Matrix q) {
            g.dtype = BlockKernel.DTYPE_Q8;
            g.wq = t ? Transpose.of(q.quants(), q.rows(), q.cols()) : q.quants();
            g.ws = t ? Transpose.of(q.scales(), q.rows(), q.cols() / Q8Matrix.BLOCK) : q.scales();
            bytes = g.wq.length + 4L * g.ws.length;
        } else {
            // F32, and on CPU devices also F16: PoCL leaves the in-kernel half conversion scalar (measured
            // 0.4 GFLOP/s vs 4.3 for F32 under the same load), and a CPU device's memory is the host's anyway
            g.dtype = BlockKernel.DTYPE_F32;
            float[] f = w instanceof F32Matrix m ? m.data() : widen(w);
            g.wf = t ? Transpose.of(f, w.rows(), w.cols()) : f;
            bytes = 4L * g.wf.length;
        }
        g.put(g.wf).put(g.wh).put(g.wq).put(g.ws).put(g.halfScale);
        weightBytes.addAndGet(bytes);
        live.add(g);
        CLEANER.register(w, () -> release(g));
        return g;
    }

    private void release(BlockKernel g) {
        if (live.remove(g)) {
            synchronized (g) {
                g.dispose();
            }
        }
    }

    /** F16 bits two per int: element i in the low half of word i/2 when i is even. */
    private static int[] packHalves(short[] h) {
        int[] words = new int[(h.length + 1) / 2];
        for (int i = 0; i < h.length; i++) {
            words[i >> 1] |= (h[i] & 0xffff) << ((i & 1) * 16);
        }
        return words;
    }

    /** Scale per half exponent: 2^-24 (subnormal), 2^(e-25) for normal e (mantissa with its implicit 1024), +inf, NaN. */
    static float[] halfScales() {
        float[] s = new float[33];
        s[0] = 0x1p-24f;
        for (int e = 1; e < 31; e++) {
            s[e] = Math.scalb(1f, e - 25);
        }
        s[31] = Float.POSITIVE_INFINITY;
        s[32] = Float.NaN;
        return s;
    }

    /** Any other matrix type: widened to F32 on the host once, when uploaded. */
    static float[] widen(Matrix w) {
        float[] f = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            w.loadRow(r, f, r * w.cols());
        }
        return f;
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        Shapes.rmsnorm(out, x, weight, tokens, dim);
        synchronized (rmsnorm) {
            rmsnorm.out = out;
            rmsnorm.x = x;
            rmsnorm.weight = weight;
            rmsnorm.dim = dim;
            rmsnorm.tokens = tokens;
            rmsnorm.eps = eps;
            put(rmsnorm, x);
            put(rmsnorm, weight);
            putIfLonger(rmsnorm, out, (long) tokens * dim);
            execute(rmsnorm, oneD(tokens));
            get(rmsnorm, out);
            rmsnorm.out = null;
            rmsnorm.x = null;
            rmsnorm.weight = null;
        }
    }

    Range oneD(int n) {
        return device.createRange(WorkGroups.roundUp(n, groups.rowDot()), groups.rowDot());
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope spec) {
        Shapes.rope(x, tokens, heads, headDim, positions, spec);
        int pairs = spec.pairs();
        float[] trig = ResidentBlocks.angles(spec, positions, tokens);
        synchronized (rope) {
            rope.x = x;
            rope.trig = trig;
            rope.sinOff = tokens * pairs;
            rope.heads = heads;
            rope.headDim = headDim;
            rope.pairs = pairs;
            rope.pairStride = spec.style() == Rope.Style.ADJACENT ? 2 : 1;
            rope.partnerOffset = spec.second(0) - spec.first(0);
            rope.n = tokens * heads * pairs;
            put(rope, x);
            put(rope, trig);
            execute(rope, oneD(rope.n));
            get(rope, x);
            rope.x = null;
            rope.trig = null;
        }
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        Shapes.swiglu(out, gate, up, n);
        synchronized (swiglu) {
            swiglu.out = out;
            swiglu.gate = gate;
            swiglu.up = up;
            swiglu.n = n;
            put(swiglu, gate);
            put(swiglu, up);
            putIfLonger(swiglu, out, n);
            execute(swiglu, oneD(n));
            get(swiglu, out);
            swiglu.out = null;
            swiglu.gate = null;
            swiglu.up = null;
        }
    }

    @Override
    public void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        s.check(q, k, v, out, lse);
        int rows = s.tokens() * s.heads();
        if (s.visibleKeys(s.tokens() - 1) == 0) {
            // no query sees a key (also keys == 0): nothing for the device to do
            Arrays.fill(out, 0, rows * s.headDim(), 0f);
            Arrays.fill(lse, 0, rows, Float.NEGATIVE_INFINITY);
            return;
        }
        synchronized (attention) {
            attention.q = q;
            attention.k = k;
            attention.v = v;
            attention.out = out;
            attention.lse = lse;
            attention.tokens = s.tokens();
            attention.heads = s.heads();
            attention.kvHeads = s.kvHeads();
            attention.headDim = s.headDim();
            attention.keys = s.keys();
            attention.causalOffset = s.causalOffset();
            attention.scale = (float) (1.0 / Math.sqrt(s.headDim()));
            put(attention, q);
            put(attention, v);
            putIfLonger(attention, out, (long) rows * s.headDim());
            putIfLonger(attention, lse, rows);
            Range range;
            if (groups.columns()) {
                // CPU device: K transposed here, scores in a scratch array (see AttentionKernel)
                attention.cpu = 1;
                attention.kt = keysByChannel(k, s);
                attention.k = ONE;
                if (attentionScratch.length < rows * AttentionKernel.CPU_TILE_KEYS) {
                    attentionScratch = new float[rows * AttentionKernel.CPU_TILE_KEYS];
                }
                attention.sc = attentionScratch;
                put(attention, attention.kt);
                range = oneD(rows);
            } else {
                if (s.headDim() > AttentionKernel.MAX_HEAD_DIM) {
                    throw new UnsupportedOperationException("aparapi attention on a GPU holds head dims up to "
                            + AttentionKernel.MAX_HEAD_DIM + " in local memory (got " + s.headDim()
                            + "); choose spark.starspark.kernels=java");
                }
                int group = groups.attentionGroup(s.headDim(), s.tokens());
                int blocks = (s.tokens() + group - 1) / group;
                attention.cpu = 0;
                attention.kt = ONE;
                attention.sc = ONE;
                attention.group = group;
                attention.blocksPerHead = blocks;
                put(attention, k);
                range = device.createRange(s.heads() * blocks * group, group);
            }
            execute(attention, range);
            get(attention, out);
            get(attention, lse);
            attention.q = null;
            attention.k = null;
            attention.v = null;
            attention.out = null;
            attention.lse = null;
            attention.kt = null;
        }
        for (int t = 0; t < s.tokens() && s.visibleKeys(t) == 0; t++) {
            Arrays.fill(lse, t * s.heads(), (t + 1) * s.heads(), Float.NEGATIVE_INFINITY);
        }
    }

    /** {@code k: [keys][kvHeads][headDim]} as {@code [kvHeads][headDim][keys]}. */
    private static float[] keysByChannel(float[] k, AttentionShape s) {
        int keys = s.keys();
        int kv = s.kvHeads();
        int hd = s.headDim();
        float[] kt = new float[keys * kv * hd];
        for (int j = 0; j < keys; j++) {
            for (int g = 0; g < kv; g++) {
                int src = (j * kv + g) * hd;
                for (int d = 0; d < hd; d++) {
                    kt[(g * hd + d) * keys + j] = k[src + d];
                }
            }
        }
        return kt;
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                           int tokens, int pages, int heads, int kvHeads, int headDim) {
        Shapes.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        synchronized (scorePages) {
            scorePages.q = q;
            scorePages.pageMin = pageMin;
            scorePages.pageMax = pageMax;
            scorePages.scores = scores;
            scorePages.pages = pages;
            scorePages.heads = heads;
            scorePages.kvHeads = kvHeads;
            scorePages.headDim = headDim;
            scorePages.n = tokens * pages * heads;
            put(scorePages, q);
            put(scorePages, pageMin);
            put(scorePages, pageMax);
            putIfLonger(scorePages, scores, scorePages.n);
            execute(scorePages, oneD(scorePages.n));
            get(scorePages, scores);
            scorePages.q = null;
            scorePages.pageMin = null;
            scorePages.pageMax = null;
            scorePages.scores = null;
        }
    }

    @Override
    public void close() {
        for (Kernel k : smallKernels()) {
            synchronized (k) {
                k.dispose();
            }
        }
        for (BlockKernel g : live.toArray(new BlockKernel[0])) {
            release(g);
        }
        matrices.clear();
        resident.close();
    }
}
