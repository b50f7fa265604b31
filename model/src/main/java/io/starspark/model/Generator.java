package io.starspark.model;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;

import java.util.Arrays;
import java.util.Objects;

/**
 * The generation loop: prefill the prompt as one batch, then decode one token at a time until
 * {@code maxNew} tokens or EOS (not included in the result). Alone it is full attention on one JVM;
 * with an {@link ExternalAttention} over a document's K/V held elsewhere and the prompt placed after
 * the document's positions, it is the decoding phase of Star Attention (question, then answer).
 */
public final class Generator {
    private final LlamaModel model;
    private final Kernels kernels;
    private final KvDtype kvDtype;

    /** A generator whose K/V cache holds floats. */
    public Generator(LlamaModel model, Kernels kernels) {
        this(model, kernels, KvDtype.F32);
    }

    /** @param kvDtype what the request's K/V cache holds ({@link KvCache}) */
    public Generator(LlamaModel model, Kernels kernels, KvDtype kvDtype) {
        this.model = model;
        this.kernels = kernels;
        this.kvDtype = Objects.requireNonNull(kvDtype, "kvDtype");
    }

    /**
     * Generated ids and timings.
     *
     * @param ids           generated token ids (prompt excluded)
     * @param promptTokens  prompt length
     * @param prefillNanos  time of the prompt's forward pass (incl. first token's logits)
     * @param decodeNanos   time of all later single-token forward passes
     * @param firstLogits   [vocab] the logits that chose the first generated token
     */
    public record Result(int[] ids, int promptTokens, long prefillNanos, long decodeNanos, float[] firstLogits) {
        public double prefillTokensPerSecond() {
            return promptTokens / (prefillNanos / 1e9);
        }

        /** Decoded tokens per second (the first generated token comes from prefill). */
        public double decodeTokensPerSecond() {
            return decodeTokensPerSecond(ids.length, decodeNanos);
        }

        /** Tokens per second of the single-token steps that followed the prompt's pass for {@code generated} tokens. */
        public static double decodeTokensPerSecond(int generated, long decodeNanos) {
            int decoded = Math.max(0, generated - 1);
            return decodeNanos == 0 ? 0 : decoded / (decodeNanos / 1e9);
        }
    }

    /** Full attention: the prompt at positions 0.. and nothing else. */
    public Result generate(int[] prompt, int maxNew, Sampler sampler) {
        return generate(prompt, 0, null, maxNew, sampler, model.tokenizer().eos());
    }

    /**
     * @param firstPosition position of the prompt's first token (e.g. the context length, for a question)
     * @param context       keys every token also attends to (merged exactly by LSE), or null
     * @param eos           the id that ends generation (the tokenizer's EOS in production)
     */
    public Result generate(int[] prompt, int firstPosition, ExternalAttention context, int maxNew, Sampler sampler,
                           int eos) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must contain at least one token");
        }
        if (maxNew < 0) {
            throw new IllegalArgumentException("maxNew must be >= 0 (got " + maxNew + ")");
        }
        model.checkTrainedContext((long) firstPosition + prompt.length + maxNew);
        Forward fwd = new Forward(model, kernels);
        KvCache cache = KvCache.forModel(model.config(), kvDtype, prompt.length + Math.max(0, maxNew - 1));
        if (maxNew > 1) {
            fwd.prepareDecode(kvDtype);
        }
        int[] positions = new int[prompt.length];
        Arrays.setAll(positions, i -> firstPosition + i);
        long t0 = System.nanoTime();
        float[] logits = fwd.forward(prompt, positions, cache, context, Logits.LAST);
        float[] first = logits.clone();
        long prefill = System.nanoTime() - t0;
        int[] out = new int[maxNew];
        int n = 0;
        long t1 = System.nanoTime();
        while (n < maxNew) {
            int next = sampler.sample(logits);
            if (next == eos) {
                break;
            }
            out[n++] = next;
            if (n < maxNew) {
                logits = fwd.forward(new int[]{next}, new int[]{firstPosition + prompt.length + n - 1}, cache, context,
                        Logits.LAST);
            }
        }
        return new Result(Arrays.copyOf(out, n), prompt.length, prefill, System.nanoTime() - t1, first);
    }

    /**
     * Teacher forcing in one pass: the next-token logits after each of the last {@code scored} tokens of
     * {@code prompt}. The causal mask makes row i see exactly {@code prompt[0 .. p + i]} (p = prompt.length -
     * scored) and the external keys, so it equals the first logits of {@link #generate} on that prefix, at
     * O(prompt) instead of O(prompt²) cost. The tokens before the scored ones run first as a batch that returns
     * no logits (e.g. a full-attention context), then the scored ones as one batch.
     *
     * @param firstPosition position of the prompt's first token (e.g. the context length, for a question)
     * @param context       keys every token also attends to (merged exactly by LSE), or null
     * @param scored        1..prompt.length
     * @return [scored][vocab]
     */
    public float[] score(int[] prompt, int firstPosition, ExternalAttention context, int scored) {
        if (scored < 1 || scored > prompt.length) {
            throw new IllegalArgumentException("scored must be in 1.." + prompt.length + " (got " + scored + ")");
        }
        model.checkTrainedContext((long) firstPosition + prompt.length);
        Forward fwd = new Forward(model, kernels);
        KvCache cache = KvCache.forModel(model.config(), kvDtype, prompt.length); // its length is known: no regrowth
        int split = prompt.length - scored;
        int[] positions = new int[prompt.length];
        Arrays.setAll(positions, i -> firstPosition + i);
        if (split > 0) {
            fwd.forward(Arrays.copyOf(prompt, split), Arrays.copyOf(positions, split), cache, context, Logits.NONE);
        }
        return fwd.forward(Arrays.copyOfRange(prompt, split, prompt.length),
                Arrays.copyOfRange(positions, split, prompt.length), cache, context, Logits.ALL);
    }
}
