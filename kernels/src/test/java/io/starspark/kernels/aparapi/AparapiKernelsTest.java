package io.starspark.kernels.aparapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Aparapi backend against the reference. Every call is checked to have run on OpenCL (the
 * backend throws otherwise). Skipped only when the machine has no OpenCL platform at all. Also: weights are
 * uploaded once per matrix and later calls move only activations.
 */
class AparapiKernelsTest extends KernelsContract {
    @Override
    protected Kernels create() {
        Assumptions.assumeTrue(OpenClDevices.available(),
                "no OpenCL platform on this machine (clinfo -l lists none): Aparapi contract tests skipped");
        AparapiKernels k = backend();
        System.out.println(getClass().getSimpleName() + " on " + k.deviceName());
        return k;
    }

    /** The backend under test: the one the device gets by default. */
    protected AparapiKernels backend() {
        return AparapiKernels.create();
    }

    @Test
    void weightsAreUploadedOnceAndCallsMoveOnlyActivations() {
        AparapiKernels ap = (AparapiKernels) kernels;
        int rows = 96;
        int cols = 64;
        int tokens = 20;
        float[] wf = random(rows * cols, 1);
        short[] wh = new short[rows * cols];
        byte[] wq = new byte[rows * cols];
        for (int i = 0; i < wf.length; i++) {
            wh[i] = Half.fromFloat(wf[i]);
            wq[i] = (byte) (rnd.nextInt(255) - 127);
        }
        Matrix[] ws = {new F32Matrix(wf, rows, cols), new F16Matrix(wh, rows, cols),
            new Q8Matrix(wq, random(rows * cols / 32, 0.01), rows, cols)};
        long widened = 4L * Transpose.stride(rows) * cols; // CPU devices: F32, transposed, columns padded
        long[] weightBytes = {ap.widensWeights() ? widened : 4L * rows * cols, ap.widensWeights() ? widened : 2L * rows * cols,
            ap.widensWeights() ? widened : rows * cols + 4L * rows * cols / 32};
        float[] x = random(tokens * cols, 1);
        for (int m = 0; m < ws.length; m++) {
            float[] first = new float[tokens * rows];
            float[] second = new float[tokens * rows];
            AparapiKernels.Traffic t0 = ap.traffic();
            ap.matmul(first, x, ws[m], tokens);
            AparapiKernels.Traffic t1 = ap.traffic();
            ap.matmul(second, x, ws[m], tokens);
            AparapiKernels.Traffic once = t1.minus(t0);
            AparapiKernels.Traffic again = ap.traffic().minus(t1);
            String what = ws[m].getClass().getSimpleName() + where();
            assertEquals(weightBytes[m], once.weightBytesUploaded(), "weights uploaded in their stored size: " + what);
            assertEquals(0, again.weightBytesUploaded(), "no second upload: " + what);
            assertEquals(4L * x.length, again.bytesToDevice(), "only x goes to the device: " + what);
            assertEquals(4L * second.length, again.bytesFromDevice(), "only out comes back: " + what);
            assertArrayEquals(first, second, "same answer from the resident weights: " + what);
        }
    }
}
