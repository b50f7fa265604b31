package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.errors.UserError;
import io.starspark.kv.SchemeFs;
import io.starspark.model.LlamaModel;
import io.starspark.workers.ModelRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a user names (context files, the model, the batch output), local or on a Hadoop file system
 * ({@link SchemeFs}): read as strict UTF-8, checked before any work, each problem one line naming the location.
 */
class UserFilesTest {
    @TempDir
    Path tmp;

    private static Configuration hadoop() {
        Configuration conf = new Configuration();
        conf.set(SchemeFs.IMPL_KEY, SchemeFs.class.getName());
        return conf;
    }

    private static String error(Runnable r) {
        return assertThrows(UserError.class, r::run).getMessage();
    }

    @Test
    void textFilesLocalOrRemoteAreStrictUtf8() throws IOException {
        Path file = Files.writeString(tmp.resolve("ctx.txt"), "Caf\u00e9 \u2603 \uD83D\uDE00\n", StandardCharsets.UTF_8);
        assertEquals("Caf\u00e9 \u2603 \uD83D\uDE00\n", Texts.read(file.toString(), hadoop()));
        assertEquals("Caf\u00e9 \u2603 \uD83D\uDE00\n", Texts.read(file.toUri().toString(), hadoop()));
        assertEquals("Caf\u00e9 \u2603 \uD83D\uDE00\n", Texts.read(SchemeFs.SCHEME + "://" + file, hadoop()));
        assertEquals("", Texts.read(Files.write(tmp.resolve("empty.txt"), new byte[0]).toString(), hadoop()));
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), "Caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + " is not valid UTF-8 text", error(() -> Texts.read(latin1.toString(), hadoop())));
        String remoteLatin1 = SchemeFs.SCHEME + "://" + latin1;
        assertEquals(remoteLatin1 + " is not valid UTF-8 text", error(() -> Texts.read(remoteLatin1, hadoop())));
    }

    @Test
    void missingOrOddLocationsAreNamed() {
        Path missing = tmp.resolve("nope.txt");
        assertEquals("file not found: " + missing, error(() -> Texts.read(missing.toString(), hadoop())));
        String remote = SchemeFs.SCHEME + "://" + missing;
        assertEquals("file not found: " + remote, error(() -> Texts.read(remote, hadoop())));
        assertEquals(tmp + " is a directory, not a text file", error(() -> Texts.read(tmp.toString(), hadoop())));
        assertTrue(error(() -> Texts.read("nofs://host/x.txt", hadoop())).startsWith("cannot read nofs://host/x.txt: "));
        assertTrue(error(() -> Texts.read("hdfs://a b/x", hadoop())).startsWith("hdfs://a b/x is not a valid path or URI: "));
        assertTrue(error(() -> Texts.read("bad\u0000path", hadoop())).startsWith("bad\u0000path is not a valid path or URI: "));
    }

    @Test
    void printableEscapesWhatCouldForgeTerminalOutput() {
        assertEquals("a\\u0000b\\u001b[31m\\u000a\\u2028\\u2029\u00e9\uD83D\uDE00",
                Texts.printable("a\u0000b\u001b[31m\n\u2028\u2029\u00e9\uD83D\uDE00"));
        assertEquals("plain id-1", Texts.printable("plain id-1"));
    }

    @Test
    void theBatchOutputMustNotExist() throws IOException {
        Path out = tmp.resolve("out");
        BatchOutput.requireAbsent(out.toString(), hadoop());
        BatchOutput.requireAbsent(SchemeFs.SCHEME + "://" + out, hadoop());
        assertEquals("hdfs://nn:8020/out", BatchOutput.resolve("hdfs://nn:8020/out").toString());
        assertEquals(Path.of("rel/out").toAbsolutePath().toUri().getPath(), BatchOutput.resolve("rel/./out").toUri().getPath());
        Files.createDirectory(out);
        assertEquals("output " + out + " already exists; choose a new --output or delete it",
                error(() -> BatchOutput.requireAbsent(out.toString(), hadoop())));
        String remote = SchemeFs.SCHEME + "://" + out;
        assertEquals("output " + remote + " already exists; choose a new --output or delete it",
                error(() -> BatchOutput.requireAbsent(remote, hadoop())));
        assertTrue(error(() -> BatchOutput.requireAbsent("nofs://h/out", hadoop())).startsWith("cannot check output nofs://h/out: "));
        assertTrue(error(() -> BatchOutput.resolve("bad\u0000path")).startsWith("bad\u0000path is not a valid path or URI: "));
    }

    @Test
    void modelPathsAreCheckedBeforeLoading() throws IOException {
        assertEquals("no model given: pass --model FILE.gguf or set spark.starspark.model", error(() -> Models.load(null)));
        assertEquals("no model given: pass --model FILE.gguf or set spark.starspark.model", error(() -> Models.load(" ")));
        Path missing = tmp.resolve("m.gguf");
        assertEquals("model file not found: " + missing, error(() -> Models.load(missing.toString())));
        assertEquals("model file not found: " + missing.toUri(), error(() -> Models.load(missing.toUri().toString())));
        assertEquals("model path is a directory, not a GGUF file: " + tmp, error(() -> Models.load(tmp.toString())));
        LlamaModel m = Models.load(Cli.MODEL);
        assertSame(ModelRegistry.get(Cli.MODEL), m);
        assertEquals(m.id(), Models.load(Path.of(Cli.MODEL).toAbsolutePath().toUri().toString()).id());
    }
}
