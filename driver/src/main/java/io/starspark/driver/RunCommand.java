package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.HadoopConfs;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.conf.StarSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code starspark run}: the batch job. Reads a JSONL file of documents with questions, answers every
 * question (greedy) and writes one JSON row per question to a new output folder, atomically.
 */
@Command(name = "run", description = "Batch job: answer the questions of a JSONL input, write JSONL answers to a new folder.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "URI",
            description = "JSONL, one row per line: {\"id\", \"document\", \"questions\": [...]} (local path or Hadoop URI)")
    String input;

    @Option(names = "--output", required = true, paramLabel = "URI",
            description = "folder to create (must not exist): part-00000.jsonl with {\"id\", \"question\", \"answer\", \"ids\", \"stats\"} rows, and _SUCCESS")
    String output;

    @Mixin
    AnswerOptions answerOptions;

    @Mixin
    OutputOptions outputOptions;

    /** A document with its token ids. @param questions [questions][tokens] */
    record Tokenized(BatchDocument doc, int[] context, int[][] questions) {
    }

    @Override
    public Integer call() {
        StarSettings settings = answerOptions.settings();
        Configuration hadoop = HadoopConfs.of(new org.apache.spark.SparkConf());
        BatchOutput.requireAbsent(output, hadoop);
        List<BatchDocument> docs = BatchInput.read(input, hadoop);
        LlamaModel m = answerOptions.loadModel(settings);
        List<Tokenized> tokenized = tokenize(m, docs);
        long t0 = System.nanoTime();
        Map<String, Object> summary;
        try (Answerer answerer = answerOptions.open(m, settings, Sampler.greedy(), "starspark run")) {
            summary = answerAll(m, answerer, tokenized);
            summary.put("master", answerer.master());
        }
        summary.put("attention", settings.attention().name().toLowerCase(Locale.ROOT));
        summary.put("seconds", (System.nanoTime() - t0) / 1e9);
        summary.put("output", output);
        outputOptions.print(spec.commandLine().getOut(), summary);
        return ErrorContract.EXIT_OK;
    }

    private List<Tokenized> tokenize(LlamaModel m, List<BatchDocument> docs) {
        List<Tokenized> out = new ArrayList<>(docs.size());
        for (BatchDocument doc : docs) {
            int[][] questions = new int[doc.questions().size()][];
            for (int q = 0; q < questions.length; q++) {
                questions[q] = Answerer.turn(m, doc.questions().get(q), doc.chat() ? new Answerer.Chat(true, null)
                        : Answerer.Chat.OFF, true, input + " line " + doc.line() + ": questions[" + q + "]");
            }
            out.add(new Tokenized(doc, m.tokenizer().encode(doc.document(), true, true), questions));
        }
        return out;
    }

    private Map<String, Object> answerAll(LlamaModel m, Answerer answerer, List<Tokenized> docs) {
        BatchOutput out = BatchOutput.begin(output, answerer.hadoop());
        int questions = 0;
        int prefills = 0;
        long generated = 0;
        try {
            for (Tokenized t : docs) {
                LOG.info("run: document '{}' ({} tokens, {} questions)", t.doc().id(), t.context().length,
                        t.questions().length);
                for (int q = 0; q < t.questions().length; q++) {
                    Answerer.Answer a = answerer.answer(t.context(), t.questions()[q]);
                    out.write(row(m, t.doc(), q, a));
                    questions++;
                    prefills += Boolean.TRUE.equals(a.stats().get("prefill_reused")) ? 0 : 1;
                    generated += a.ids().length;
                }
            }
            out.commit();
        } catch (RuntimeException | Error e) {
            out.abort(e);
            throw e;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("documents", docs.size());
        summary.put("questions", questions);
        summary.put("prefills", prefills);
        summary.put("generated_tokens", generated);
        return summary;
    }

    private static Map<String, Object> row(LlamaModel m, BatchDocument doc, int q, Answerer.Answer a) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", doc.id());
        row.put("question", doc.questions().get(q));
        row.put("answer", m.tokenizer().decode(a.ids()));
        row.put("ids", a.ids());
        row.put("stats", a.stats());
        return row;
    }
}
