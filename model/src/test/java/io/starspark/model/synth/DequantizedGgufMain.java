package io.starspark.model.synth;

import io.starspark.model.gguf.GgmlType;
import io.starspark.kernels.Matrix;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufTensor;
import io.starspark.model.gguf.GgufWriter;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a copy of a GGUF with every tensor widened to F32 through {@link Matrix#loadRow} (the one row decoder),
 * metadata unchanged: the quantized file's exact weights with no quantized arithmetic left. llama.cpp on the copy
 * multiplies f32 activations by f32 weights, so its logits are the reference a quantized file's answers are
 * measured against ({@code oracle/make-goldens.sh}, {@code reference} of a golden; llama.cpp and starspark agree
 * to 1e-4 on F32 files). Usage: {@code DequantizedGgufMain <in.gguf> <out.gguf>}.
 */
public final class DequantizedGgufMain {
    private DequantizedGgufMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DequantizedGgufMain <in.gguf> <out.gguf>");
        }
        try (GgufFile f = GgufFile.open(Path.of(args[0]))) {
            GgufWriter w = new GgufWriter().version(f.version()).alignment(f.alignment());
            for (Map.Entry<String, io.starspark.model.gguf.GgufValue> e : f.metadata().entrySet()) {
                w.put(e.getKey(), e.getValue());
            }
            for (GgufTensor t : f.tensors().values()) {
                if (t.dims().length == 1) {
                    float[] v = f.floats(t.name());
                    w.tensor(t.name(), GgmlType.F32, t.dims(), (r, dst) -> System.arraycopy(v, 0, dst, 0, v.length));
                } else {
                    Matrix m = f.matrix(t.name());
                    w.tensor(t.name(), GgmlType.F32, t.dims(), (r, dst) -> m.loadRow((int) r, dst, 0));
                }
            }
            w.write(Path.of(args[1]));
        }
    }
}
