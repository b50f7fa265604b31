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
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
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
 * forward, with this matrix alone as their weights) whose weight buffers are uploaded once, in the stored type on GPUs (F16 and Q8_0
 * are dequantized in the kernel; all widened to F32 on CPU devices; the block types Q4_0..Q6_K are widened to F32 through
 * {@link Matrix#loadRow} at upload), and released when the matrix is garbage-collected or the backend
 * closed; a matmul then moves only x in and out back. Bytes moved are counted ({@link #traffic()}).
 * No call binds one Java array to two kernel fields: Aparapi keeps one device buffer per field, so on a device with
 * its own memory an in-place call (out aliasing an input) would put one buffer and read the other back (the H200 gave
 * swiglu's gate back unchanged); such calls compute into a fresh array and copy it over.
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
    private final SwigluKernel swiglu = new SwigluKernel();
    private final BlockKernel attention;
    private final BlockKernel rows; // the per-call RMSNorm and RoPE
    private final ScorePagesKernel scorePages = new ScorePagesKernel();
    private final Map<Matrix, BlockKernel> matrices = Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<BlockKernel> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong weightBytes = new AtomicLong();
    private final AtomicLong toDevice = new AtomicLong();
    private final AtomicLong fromDevice = new AtomicLong();
    private final AtomicLong blocks = new AtomicLong();
    private final ResidentBlocks resident;
    private static final float[] ONE = new float[1];

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
        this.attention = blockKernel();
        this.rows = blockKernel();
        for (Kernel k : smallKernels()) {
            prepare(k);
        }
        this.resident = new ResidentBlocks(this, groups, device.getType() == com.aparapi.device.Device.TYPE.CPU,
                blocks);
        LOG.info("kernels: aparapi work-groups on {}: {}", deviceName(), groups);
    }

    private Kernel[] smallKernels() {
        return new Kernel[] {rows, swiglu, attention, scorePages};
    }

    /**
     * A new {@link BlockKernel} for this device's modes, prepared, with one-element arrays in every array field (Aparapi
     * needs them set); the caller sets what its op reads and writes.
     */
    BlockKernel blockKernel() {
        BlockKernel b = groups.columns() ? new BlockKernelCpu() : new BlockKernelGpu();
        prepare(b);
        b.side = groups.gemmSide();
        b.halfScale = halfScales();
        b.x = new float[1];
        b.act = new float[1];
        b.vec = new float[1];
        b.wf = new float[1];
        b.wh = new int[1];
        b.wq = new byte[1];
        b.ws = new float[1];
        b.trig = new float[1];
        b.kv = new float[1];
        b.sc = new float[1];
        return b;
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

    /**
     * Seconds the device-resident block forward spent in each kind of launch since the backend was made, in launch
     * order of a layer: the GEMMs by weight matrix (wq .. down, epilogues included), then norm, rope, keep,
     * transpose-keys (CPU devices) and attention. Subtract two snapshots for one forward. With {@code cpu}, the
     * process CPU seconds over those launches instead (on a CPU device: the device threads' time, which other
     * processes on a shared machine do not stretch).
     */
    public Map<String, Double> blockSeconds(boolean cpu) {
        long[] n = resident.launchNanos(cpu);
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n.length; i++) {
            m.put(ResidentBlocks.LAUNCHES[i], n[i] / 1e9);
        }
        return m;
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

    /**
     * True when F16 and Q8_0 weights are widened to F32 at upload (CPU devices; transposed, each column padded to
     * {@link Transpose#stride} floats), false when the kernel converts them.
     */
    public boolean widensWeights() {
        return groups.columns();
    }

    /**
     * The floats a device-resident block moves for an array of {@code floats} (its residual stream in, its kept K/V
     * out): those alone on a CPU device; on a device with its own memory at least G1's humongous size (half a heap
     * region), since Aparapi moves whole arrays and only humongous ones stay where the device copy expects them.
     */
    public long blockArrayFloats(long floats) {
        return resident.scratchFloats(floats);
    }

    /** Weight matrices now resident on the device. */
    public int residentMatrices() {
        return live.size();
    }

    void execute(Kernel k, Range range) {
        checkNoSharedArrays(k);
        k.execute(range);
        if (!k.isRunningCL() || k.getTargetDevice() != device) {
            throw new IllegalStateException("aparapi kernel " + k.getClass().getSimpleName()
                    + " did not run on OpenCL device " + deviceName() + " (ran on " + k.getTargetDevice()
                    + "); see Aparapi's warning above for why it fell back");
        }
    }

    /** The array fields of each kernel class, its superclasses' up to Aparapi's {@link Kernel}. */
    private static final ClassValue<Field[]> ARRAY_FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Kernel.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getType().isArray() && !Modifier.isStatic(f.getModifiers())) {
                        fields.add(f);
                    }
                }
            }
            return fields.toArray(new Field[0]);
        }
    };

    /**
     * Fails when two fields of {@code k} hold the same array (longer than a one-value placeholder): Aparapi gives
     * each field its own device buffer, so on a device with its own memory a put fills one and a get reads the other.
     * Checked on every device, PoCL included, where the shared memory would hide it.
     */
    static void checkNoSharedArrays(Kernel k) {
        Field[] fields = ARRAY_FIELDS.get(k.getClass());
        Object[] arrays = new Object[fields.length];
        try {
            for (int i = 0; i < fields.length; i++) {
                arrays[i] = fields[i].get(k);
                for (int j = 0; j < i; j++) {
                    if (arrays[i] != null && arrays[i] == arrays[j] && Array.getLength(arrays[i]) > 1) {
                        throw new IllegalStateException("aparapi kernel " + k.getClass().getSimpleName()
                                + " holds one array in two fields, " + fields[j].getName() + " and "
                                + fields[i].getName() + ": on a device with its own memory each gets its own buffer");
                    }
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
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
    void putIfLonger(Kernel k, float[] a, long written) {
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
        if (resident.matmul(out, x, w, tokens)) {
            return; // w is in a device-resident layer stack: no second copy
        }
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
        BlockKernel g = blockKernel();
        g.op = BlockKernel.OP_GEMM;
        g.gInX = 1;
        g.epi = BlockKernel.EPI_STORE;
        g.gRows = w.rows();
        g.gCols = w.cols();
        long bytes;
        if (groups.columns()) {
            // CPU devices: every type widened to F32 and transposed for the register-tiled GEMM (PoCL leaves
            // in-kernel F16 and Q8_0 conversions scalar: F16 measured 0.4 GFLOP/s vs 4.3 for F32 under the same
            // load; a CPU device's memory is the host's anyway)
            g.dtype = BlockKernel.DTYPE_F32;
            g.wf = Transpose.padded(w instanceof F32Matrix m ? m.data() : widen(w), w.rows(), w.cols());
            g.gStride = Transpose.stride(w.rows());
            bytes = 4L * g.wf.length;
        } else if (w instanceof F16Matrix h) {
            g.dtype = BlockKernel.DTYPE_F16;
            g.wh = packHalves(h.data());
            bytes = 4L * g.wh.length;
        } else if (w instanceof Q8Matrix q) {
            g.dtype = BlockKernel.DTYPE_Q8;
            g.wq = q.rowMajorQuants(); // the device kernels index [rows][cols]
            g.ws = q.rowMajorScales();
            bytes = g.wq.length + 4L * g.ws.length;
        } else {
            g.dtype = BlockKernel.DTYPE_F32;
            g.wf = w instanceof F32Matrix m ? m.data() : widen(w);
            bytes = 4L * g.wf.length;
        }
        g.put(g.wf).put(g.wh).put(g.wq).put(g.ws).put(g.halfScale);
        weightBytes.addAndGet(bytes);
        live.add(g);
        CLEANER.register(w, () -> release(g));
        return g;
    }

    /** Releases w's own per-call copy, if it has one (a resident layer stack now holds w). */
    void dropMatrix(Matrix w) {
        BlockKernel g = matrices.remove(w);
        if (g != null) {
            release(g);
        }
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
        if (out == x) {
            float[] normed = new float[tokens * dim];
            rmsnorm(normed, x, weight, tokens, dim, eps);
            System.arraycopy(normed, 0, out, 0, normed.length);
            return;
        }
        synchronized (rows) {
            BlockKernel k = rows;
            k.x = x;
            k.act = out;
            k.vec = weight;
            k.normOp(1, 0, 0, tokens, dim, 0, eps);
            put(k, x);
            put(k, weight);
            putIfLonger(k, out, (long) tokens * dim);
            execute(k, oneD(tokens));
            get(k, out);
            k.x = ONE;
            k.act = ONE;
            k.vec = ONE;
        }
    }

    Range oneD(int n) {
        return device.createRange(WorkGroups.roundUp(n, groups.rowDot()), groups.rowDot());
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope spec) {
        Shapes.rope(x, tokens, heads, headDim, positions, spec);
        float[] trig = ResidentBlocks.angles(spec, positions, tokens);
        synchronized (rows) {
            BlockKernel k = rows;
            k.act = x;
            k.trig = trig;
            k.tokens = tokens;
            k.ropeOp(spec, 0, heads, headDim);
            put(k, x);
            put(k, trig);
            execute(k, oneD(tokens * heads * spec.pairs()));
            get(k, x);
            k.act = ONE;
            k.trig = ONE;
        }
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        Shapes.swiglu(out, gate, up, n);
        if (out == gate || out == up) {
            float[] product = new float[n];
            swiglu(product, gate, up, n);
            System.arraycopy(product, 0, out, 0, n);
            return;
        }
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
        if (!groups.columns() && s.headDim() > BlockKernel.MAX_HEAD_DIM) {
            throw new UnsupportedOperationException("aparapi attention on a GPU holds head dims up to "
                    + BlockKernel.MAX_HEAD_DIM + " in local memory (got " + s.headDim()
                    + "); choose spark.starspark.kernels=java");
        }
        // the block forward's attention: q, k (CPU devices: kt, transposed here) and v in the arena, outputs in x
        int qn = rows * s.headDim();
        int kvn = s.keys() * s.kvHeads() * s.headDim();
        float[] arena = new float[qn + 2 * kvn];
        System.arraycopy(q, 0, arena, 0, qn);
        System.arraycopy(groups.columns() ? keysByChannel(k, s) : k, 0, arena, qn, kvn);
        System.arraycopy(v, 0, arena, qn + kvn, kvn);
        float[] result = new float[qn + rows];
        synchronized (attention) {
            BlockKernel a = attention;
            a.act = arena;
            a.x = result;
            a.attentionOp(s, 0, qn, qn, qn + kvn, 0, qn, 1);
            Range range;
            if (groups.columns()) {
                int scratch = rows * (BlockKernel.CPU_TILE_KEYS + s.headDim());
                if (a.sc.length < scratch) {
                    a.sc = new float[scratch]; // device-only: never put or got
                }
                range = oneD(rows);
            } else {
                int group = groups.attentionGroup(s.headDim(), s.tokens());
                a.group = group;
                a.blocksPerHead = (s.tokens() + group - 1) / group;
                range = device.createRange(s.heads() * a.blocksPerHead * group, group);
            }
            put(a, arena);
            execute(a, range);
            get(a, result);
            a.act = ONE;
            a.x = ONE;
        }
        System.arraycopy(result, 0, out, 0, qn);
        System.arraycopy(result, qn, lse, 0, rows);
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
