package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.model.LlamaModel;
import io.starspark.workers.HadoopConfs;
import io.starspark.workers.ModelRegistry;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Reading and tokenizing in an executor task, for {@link StarSpark}: each input row's text (inline, or read from
 * its {@code document_path} with this JVM's Hadoop configuration, {@link HadoopConfs#current()}), its context ids
 * (BOS + SentencePiece(" " + text), {@link DocumentTokens}) and each question's turn ({@link Answerer#turn}), or
 * why the row's document fails. The driver plans with the ids that come back; it reads no document itself.
 * Takes and returns Java-serialized {@code byte[]} ({@link JavaBytes}), one per row, in order.
 */
final class DocumentTask implements FlatMapFunction<Iterator<byte[]>, byte[]> {
    private static final long serialVersionUID = 1L;

    private final String modelPath;
    private final int maxContextTokens;

    /** @param maxContextTokens documents with more context tokens fail their rows; 0 for no limit */
    DocumentTask(String modelPath, int maxContextTokens) {
        this.modelPath = modelPath;
        this.maxContextTokens = maxContextTokens;
    }

    /**
     * One row's tokens, or why it has none.
     *
     * @param context   [n] BOS + SentencePiece(" " + text); null when {@code error} or {@code malformed} is set
     * @param questions one [m] turn per question (m &ge; 1); empty when {@code error} or {@code malformed} is set
     * @param error     why the document's rows fail at run time (unreadable or empty document_path, too many
     *                  tokens, no chat template), or null
     * @param malformed the message of a question with no tokens: malformed input, refused before any work; or null
     */
    record Tokens(int[] context, List<int[]> questions, String error, String malformed) implements Serializable {
        static Tokens failed(String error) {
            return new Tokens(null, List.of(), error, null);
        }
    }

    @Override
    public Iterator<byte[]> call(Iterator<byte[]> rows) {
        LlamaModel model = ModelRegistry.get(modelPath);
        Configuration hadoop = HadoopConfs.current();
        List<byte[]> out = new ArrayList<>();
        rows.forEachRemaining(row -> out.add(JavaBytes.of(tokenize(JavaBytes.read(row), model, hadoop,
                maxContextTokens))));
        return out.iterator();
    }

    /** One row's {@link Tokens}; the questions of a document that fails are not tokenized. */
    static Tokens tokenize(DocumentTable.Input in, LlamaModel model, Configuration hadoop, int maxContextTokens) {
        String text;
        try {
            text = in.document() != null ? in.document() : Texts.read(in.documentPath(), hadoop);
        } catch (UserError e) {
            return Tokens.failed("document_path: " + ErrorContract.oneLine(e));
        }
        if (text.isBlank()) {
            return Tokens.failed("document_path " + in.documentPath() + " is empty");
        }
        int[] context = DocumentTokens.encode(model.tokenizer(), text, "document '" + in.id() + "'");
        if (maxContextTokens > 0 && context.length > maxContextTokens) {
            return Tokens.failed("document has " + context.length + " tokens, more than the job's maxContextTokens "
                    + maxContextTokens);
        }
        List<int[]> questions = new ArrayList<>(in.questions().size());
        for (int q = 0; q < in.questions().size(); q++) {
            try {
                questions.add(Answerer.turn(model, in.questions().get(q),
                        in.chat() ? new Answerer.Chat(true, null) : Answerer.Chat.OFF, true,
                        "row " + in.row() + ": questions[" + q + "]"));
            } catch (UserError e) {
                if (!in.chat()) {
                    return new Tokens(null, List.of(), null, e.getMessage()); // a question with no tokens
                }
                return Tokens.failed(ErrorContract.oneLine(e)); // e.g. the model has no chat template
            }
        }
        return new Tokens(context, questions, null, null);
    }
}
