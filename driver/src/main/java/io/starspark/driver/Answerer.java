package io.starspark.driver;

import io.starspark.driver.star.StarAnswer;
import io.starspark.errors.UserError;
import io.starspark.driver.star.StarRequest;
import io.starspark.driver.star.StarRunner;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.errors.UserError;
import io.starspark.model.ChatTemplate;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.HadoopConfs;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The one answer path of {@code generate} and {@code run}: answers one question about one tokenized
 * document with the job's attention mode, star or sparse on Spark (the first question of a document
 * prefills it, later ones reuse its committed K/V), or full attention on this JVM (the single-JVM
 * reference; recomputes the context per question). Requests come from {@link #request}, stats from
 * {@link Stats}, so both commands report the same names for the same things.
 */
public abstract class Answerer implements AutoCloseable {

    /** {@code stats.answered_on} of an answer decoded on the driver. */
    static final String DRIVER = "driver";

    /**
     * Generated ids and the answer's stats ({@link Stats}).
     *
     * @param firstLogits [vocab] the logits that chose the first generated token
     */
    public record Answer(int[] ids, float[] firstLogits, Map<String, Object> stats) {
    }

    /**
     * @param appName   the Spark application name (star/sparse)
     * @param reprefill delete each document's stored K/V before its first question
     */
    static Answerer open(LlamaModel model, StarSettings settings, int maxNewTokens, Sampler sampler, String appName,
                         String master, Map<String, String> sparkConf, boolean reprefill,
                         ExecutorWaitOptions executorWait) {
        return settings.attention() == AttentionMode.FULL
                ? new Full(model, settings, maxNewTokens, sampler, sparkConf)
                : new Star(settings, maxNewTokens, sampler, appName, master, sparkConf, reprefill, executorWait);
    }

    /**
     * An answerer of the settings' attention mode over a Spark context the caller opened and closes (eval:
     * many modes and budgets over the same documents and their stored K/V); full attention ignores it.
     *
     * @param reprefill delete each document's stored K/V before its first question to this answerer
     */
    public static Answerer over(JavaSparkContext jsc, LlamaModel model, StarSettings settings, int maxNewTokens,
                                Sampler sampler, boolean reprefill) {
        return settings.attention() == AttentionMode.FULL
                ? new Full(model, settings, maxNewTokens, sampler, Map.of())
                : new Star(jsc, false, settings, maxNewTokens, sampler, reprefill);
    }

    /**
     * How a prompt or question becomes ids: raw text, or one user turn in the model's own chat template
     * ({@code tokenizer.chat_template}, rendered by {@link ChatTemplate}) with an optional system turn first and
     * the assistant's generation prompt last.
     *
     * @param system the system message, or null for none (only with chat)
     */
    record Chat(boolean on, String system) {
        static final Chat OFF = new Chat(false, null);

        Chat {
            if (!on && system != null) {
                throw new UserError("--system needs --chat");
            }
            if (system != null && system.isBlank()) {
                throw new UserError("--system is empty");
            }
        }
    }

    /**
     * The one tokenization of what the user asks, for {@code generate} and {@code run}. Without chat: a prompt
     * is BOS + text (as a document start), a question is the text with no BOS and no added space. With chat:
     * the model's template renders [system?, user: text] with the generation prompt, control tokens kept whole;
     * a prompt gets BOS where the vocabulary adds it (once), a question after a context gets none (the raw
     * context before it already starts with BOS, so a BOS the template writes is dropped).
     *
     * @param afterContext true for a question placed after a context, false for a prompt that starts the sequence
     * @return [m] ids, m &ge; 1 (an empty result is a user error naming {@code what})
     */
    static int[] turn(LlamaModel m, String text, Chat chat, boolean afterContext, String what) {
        int[] ids;
        if (!chat.on()) {
            ids = afterContext ? m.tokenizer().encode(text, false, false) : m.tokenizer().encode(text, true, true);
        } else {
            List<ChatTemplate.Message> messages = new ArrayList<>();
            if (chat.system() != null) {
                messages.add(new ChatTemplate.Message("system", chat.system()));
            }
            messages.add(new ChatTemplate.Message("user", text));
            ChatTemplate template = m.chatTemplate();
            if (afterContext) {
                ids = m.tokenizer().encodeSpecial(template.render(messages, true), false);
                int bos = m.tokenizer().bos();
                if (ids.length > 0 && bos >= 0 && ids[0] == bos) {
                    ids = Arrays.copyOfRange(ids, 1, ids.length);
                }
            } else {
                ids = template.encode(messages, true);
            }
        }
        if (ids.length == 0 || (!afterContext && !chat.on() && ids.length == 1 && ids[0] == m.tokenizer().bos())) {
            throw new UserError(what + " has no tokens");
        }
        return ids;
    }

    /**
     * The one request factory: one question over one document with the job's validated settings.
     *
     * @param context  [n] BOS + SentencePiece(" " + document)
     * @param question [m] SentencePiece(question), no BOS, no added space
     */
    static StarRequest request(StarSettings settings, int maxNewTokens, int[] context, int[] question,
                               ToIntFunction<StarPlan> partitions) {
        return StarRequest.builder().model(settings.requireModel()).context(context).question(question)
                .maxNewTokens(maxNewTokens)
                .blocks(settings.blockSize(), settings.anchorSize(), settings.pageSize())
                .kvDir(settings.kvDir().toString()).dtype(settings.kvDtype()).maxKvBytes(settings.maxKvBytes())
                .kernels(settings.kernels()).sparse(StarOptions.sparse(settings))
                .partitions(partitions).build();
    }

    /**
     * @param context  [n] BOS + SentencePiece(" " + document)
     * @param question [m] SentencePiece(question), no BOS, no added space (full attention also takes m = 0)
     */
    public abstract Answer answer(int[] context, int[] question);

    /**
     * Teacher forcing in one pass: the next-token logits after each of the last {@code scored} tokens of
     * {@code prompt} (a question followed by teacher tokens), over the document as this answerer's mode sees it.
     * Row i equals {@code answer(context, prompt[0 .. p + i])}'s first logits (p = prompt.length - scored), at
     * the cost of one question pass instead of one per row.
     *
     * @param context [n] BOS + SentencePiece(" " + document)
     * @param prompt  [m] question ++ teacher tokens, no BOS
     * @return [scored][vocab]
     */
    public abstract float[] score(int[] context, int[] prompt, int scored);

    /** The Hadoop configuration output is written with. */
    abstract Configuration hadoop();

    /** The master URL, or a note that no Spark ran (full attention). */
    abstract String master();

    @Override
    public abstract void close();

    /** Star or sparse: phase 1 on Spark, phase 2 on this JVM. */
    static final class Star extends Answerer {
        private final StarSettings settings;
        private final int maxNewTokens;
        private final Sampler sampler;
        private final JavaSparkContext jsc;
        private final boolean ownsSpark;
        private final boolean reprefill;
        private final Set<String> forgotten = new HashSet<>();

        Star(StarSettings settings, int maxNewTokens, Sampler sampler, String appName, String master,
             Map<String, String> sparkConf, boolean reprefill, ExecutorWaitOptions executorWait) {
            this(Spark.open(appName, master, settings, sparkConf, executorWait.waitSeconds()), true, settings,
                    maxNewTokens, sampler, reprefill);
            executorWait.await(jsc);
        }

        Star(JavaSparkContext jsc, boolean ownsSpark, StarSettings settings, int maxNewTokens, Sampler sampler,
             boolean reprefill) {
            this.jsc = jsc;
            this.ownsSpark = ownsSpark;
            this.settings = settings;
            this.maxNewTokens = maxNewTokens;
            this.sampler = sampler;
            this.reprefill = reprefill;
        }

        @Override
        public Answer answer(int[] context, int[] question) {
            StarRequest request = request(context, question);
            StarAnswer a = StarRunner.answer(jsc, request, sampler);
            return new Answer(a.ids(), a.firstLogits(), Stats.star(request, a, jsc.master(), DRIVER));
        }

        @Override
        public float[] score(int[] context, int[] prompt, int scored) {
            return StarRunner.score(jsc, request(context, prompt), scored);
        }

        /** The request of one question; the document's stored K/V are deleted first when re-prefilling. */
        private StarRequest request(int[] context, int[] question) {
            StarRequest request = Answerer.request(settings, maxNewTokens, context, question,
                    plan -> Spark.partitions(jsc, plan));
            if (reprefill && forgotten.add(StarRunner.docId(context))) {
                StarRunner.forget(jsc, request);
            }
            return request;
        }

        @Override
        Configuration hadoop() {
            return jsc.hadoopConfiguration();
        }

        @Override
        String master() {
            return jsc.master();
        }

        @Override
        public void close() {
            if (ownsSpark) {
                jsc.close();
            }
        }
    }

    /** Full attention over context ++ question on this JVM. */
    static final class Full extends Answerer {
        static final String NO_MASTER = "none (full attention on the driver)";
        private final Generator generator;
        private final String kernels;
        private final int maxNewTokens;
        private final Sampler sampler;
        private final Configuration hadoop = HadoopConfs.of(new org.apache.spark.SparkConf());

        /** @param sparkConf must be empty: no Spark runs, so a Spark setting would be silently ignored */
        Full(LlamaModel model, StarSettings settings, int maxNewTokens, Sampler sampler, Map<String, String> sparkConf) {
            if (!sparkConf.isEmpty()) {
                throw new UserError("full attention runs no Spark, so the Spark settings " + sparkConf.keySet()
                        + " would have no effect; drop them or use --attention star");
            }
            Kernels backend = KernelBackends.select(settings.kernels());
            this.generator = new Generator(model, backend, settings.kvDtype());
            this.kernels = backend.name();
            this.maxNewTokens = maxNewTokens;
            this.sampler = sampler;
        }

        @Override
        public Answer answer(int[] context, int[] question) {
            int[] prompt = IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray();
            Generator.Result r = generator.generate(prompt, maxNewTokens, sampler);
            return new Answer(r.ids(), r.firstLogits(),
                    Stats.full(context.length, question.length, kernels, NO_MASTER, DRIVER, r));
        }

        @Override
        public float[] score(int[] context, int[] prompt, int scored) {
            return generator.score(IntStream.concat(IntStream.of(context), IntStream.of(prompt)).toArray(), 0, null,
                    scored);
        }

        @Override
        Configuration hadoop() {
            return hadoop;
        }

        @Override
        String master() {
            return NO_MASTER;
        }

        @Override
        public void close() {
            // nothing held: the model is shared through ModelRegistry
        }
    }
}
