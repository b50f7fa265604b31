package io.starspark.driver;

import static io.starspark.driver.Cli.MODEL;
import static io.starspark.driver.RunCommandTest.SHORT_DOC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.model.LlamaModel;
import io.starspark.workers.ModelRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the executor task of {@link StarSpark} makes of one row, without Spark (the task code, called directly). */
class DocumentTaskTest {
    @TempDir
    Path tmp;

    private static final LlamaModel M = ModelRegistry.get(MODEL);

    private static DocumentTable.Input inline(String text, boolean chat, String... questions) {
        return new DocumentTable.Input(1, "d", text, null, List.of(questions), chat);
    }

    @Test
    void contextAndQuestionsAreTheDriversTokenization() {
        DocumentTask.Tokens t = DocumentTask.tokenize(inline(SHORT_DOC, false, " Tom", " The dog"), M,
                new Configuration(), 0);
        assertNull(t.error());
        assertNull(t.malformed());
        assertArrayEquals(M.tokenizer().encode(SHORT_DOC, true, true), t.context());
        assertEquals(2, t.questions().size());
        assertArrayEquals(M.tokenizer().encode(" Tom", false, false), t.questions().get(0));
        assertArrayEquals(M.tokenizer().encode(" The dog", false, false), t.questions().get(1));
    }

    @Test
    void maxContextTokensIsInclusive() {
        int n = M.tokenizer().encode(SHORT_DOC, true, true).length;
        assertNull(DocumentTask.tokenize(inline(SHORT_DOC, false, " Tom"), M, new Configuration(), n).error());
        DocumentTask.Tokens over = DocumentTask.tokenize(inline(SHORT_DOC, false, " Tom"), M, new Configuration(), n - 1);
        assertEquals("document has " + n + " tokens, more than the job's maxContextTokens " + (n - 1), over.error());
        assertNull(over.context());
        assertEquals(List.of(), over.questions());
    }

    @Test
    void chatWithoutATemplateFailsTheRowNotTheJob() {
        DocumentTask.Tokens t = DocumentTask.tokenize(inline(SHORT_DOC, true, " Tom"), M, new Configuration(), 0);
        assertNull(t.malformed());
        assertTrue(t.error().contains("has no chat template (tokenizer.chat_template)"), t.error());
    }

    @Test
    void theTaskReadsPathsWithItsHadoopConfigurationAndKeepsRowOrder() throws IOException {
        Path story = Files.writeString(tmp.resolve("story.txt"), SHORT_DOC, StandardCharsets.UTF_8);
        DocumentTable.Input byPath = new DocumentTable.Input(2, "p", null, story.toString(), List.of(" Tom"), false);
        DocumentTable.Input missing = new DocumentTable.Input(3, "m", null, tmp.resolve("no.txt").toString(),
                List.of(" Tom"), false);
        Iterator<byte[]> out = new DocumentTask(MODEL, 0).call(List.of(JavaBytes.of(byPath), JavaBytes.of(missing),
                JavaBytes.of(inline("Once upon a time", false, " Tom"))).iterator());
        DocumentTask.Tokens first = JavaBytes.read(out.next());
        assertArrayEquals(M.tokenizer().encode(SHORT_DOC, true, true), first.context());
        assertEquals("document_path: file not found: " + tmp.resolve("no.txt"),
                JavaBytes.<DocumentTask.Tokens>read(out.next()).error());
        assertArrayEquals(M.tokenizer().encode("Once upon a time", true, true),
                JavaBytes.<DocumentTask.Tokens>read(out.next()).context());
        assertTrue(!out.hasNext());
    }
}
