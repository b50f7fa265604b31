package io.starspark.driver;

import io.starspark.driver.star.StarAnswer;
import io.starspark.driver.star.StarRunner;
import io.starspark.errors.UserError;
import io.starspark.kernels.Kernels;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.HadoopConfs;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.TaskKernels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Phase 2 in an executor task: each {@link QuestionJob} is answered greedily with the Spark-free
 * {@link StarRunner#decode} over the document's K/V in the store (star or sparse), or with full attention
 * over document ++ question; the model comes from this JVM's {@link ModelRegistry}. A {@link UserError}
 * (a corrupt or missing stored K/V, a bad model file) becomes the row's {@code error}; anything else is a
 * bug and fails the task.
 */
final class AnswerTask implements FlatMapFunction<Iterator<byte[]>, byte[]> {
    private static final long serialVersionUID = 1L;
    /** The name of the accumulator counting answered questions (progress reads its per-task updates). */
    static final String ANSWERED = "starspark answered questions";

    private final LongAccumulator answered;

    /** @param answered counts the questions answered (one per row), registered as {@link #ANSWERED} */
    AnswerTask(LongAccumulator answered) {
        this.answered = answered;
    }

    /** The rows of {@link StarSpark#answer}: one per question. */
    static final StructType SCHEMA = new StructType()
            .add(DocumentTable.ID, DataTypes.StringType, false)
            .add("question", DataTypes.StringType, false)
            .add("answer", DataTypes.StringType, true)
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
            .add("error", DataTypes.StringType, true)
            .add("stats", Stats.SCHEMA, true);

    @Override
    public Iterator<byte[]> call(Iterator<byte[]> jobs) {
        List<byte[]> rows = new ArrayList<>();
        try (StarRunner.Stores stores = new StarRunner.Stores()) { // consecutive questions of a document share it
            jobs.forEachRemaining(job -> {
                rows.add(JavaBytes.of((java.io.Serializable) answer(JavaBytes.read(job), where(), stores)));
                answered.add(1);
            });
        }
        return rows.iterator();
    }

    /**
     * The row of one job, answered on this JVM ({@code answeredOn} names it in the stats).
     *
     * @param stores the stores of this run of questions (the last document's stays open for its next question)
     */
    static Row answer(QuestionJob job, String answeredOn, StarRunner.Stores stores) {
        if (job.error() != null) {
            return failed(job.id(), job.question(), job.error());
        }
        try {
            LlamaModel model = ModelRegistry.get(job.request().modelPath());
            int[] ids;
            Map<String, Object> stats;
            if (job.prefill() == null) {
                Kernels kernels = TaskKernels.select(job.request().kernels());
                int[] prompt = IntStream.concat(IntStream.of(job.request().context()),
                        IntStream.of(job.request().question())).toArray();
                Generator.Result r = new Generator(model, kernels, job.request().dtype())
                        .generate(prompt, job.request().maxNewTokens(), Sampler.greedy());
                ids = r.ids();
                stats = Stats.full(job.request().context().length, job.request().question().length, kernels.name(),
                        job.master(), answeredOn, r);
            } else {
                StarAnswer a = StarRunner.decode(job.request(), job.prefill(), HadoopConfs.current(), Sampler.greedy(),
                        stores);
                ids = a.ids();
                stats = Stats.star(job.request(), a, job.master(), answeredOn);
            }
            return new GenericRowWithSchema(new Object[] {job.id(), job.question(), model.tokenizer().decode(ids),
                CollectionConverters.asScala(IntStream.of(ids).boxed().toList()).toSeq(), null, Stats.row(stats)}, SCHEMA);
        } catch (UserError e) {
            return failed(job.id(), job.question(), ErrorContract.oneLine(e));
        }
    }

    static Row failed(String id, String question, String error) {
        return new GenericRowWithSchema(new Object[] {id, question, null, null, error, null}, SCHEMA);
    }

    private static String where() {
        SparkEnv env = SparkEnv.get();
        return env == null ? Answerer.DRIVER : "executor " + env.executorId();
    }
}
