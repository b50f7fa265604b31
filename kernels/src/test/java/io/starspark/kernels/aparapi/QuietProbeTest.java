package io.starspark.kernels.aparapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Choosing {@code auto} on a machine without OpenCL: no Aparapi SEVERE lines on stderr, one line saying why
 * there is no OpenCL, and the loud backend choice. Each case runs {@link Main} in a child JVM whose OpenCL is
 * taken away: an ICD directory listing no platform (always), and libOpenCL hidden by a private mount
 * (root with {@code unshare} only; that is the case where Aparapi logs SEVERE).
 */
class QuietProbeTest {

    /** Child JVM: chooses {@code auto} once. */
    public static final class Main {
        public static void main(String[] args) {
            System.out.println("chosen " + KernelBackends.select(KernelsChoice.AUTO, 1).name());
        }
    }

    @Test
    void noPlatformIsOneQuietLine() throws Exception {
        Path icd = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "empty-icd"));
        List<String> cmd = javaCommand();
        Output o = run(cmd, icd);
        assertQuiet(o, "no OpenCL device found");
    }

    @Test
    void noOpenClLibraryIsOneQuietLine() throws Exception {
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1");
        Assumptions.assumeTrue(Files.exists(lib) && "root".equals(System.getProperty("user.name"))
                && new ProcessBuilder("unshare", "-m", "true").start().waitFor() == 0,
                "needs root, unshare and " + lib + " to hide libOpenCL in a private mount namespace");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount --bind /dev/null " + lib + " && exec \"$@\"", "sh"));
        cmd.addAll(javaCommand());
        Output o = run(cmd, null);
        assertQuiet(o, "no OpenCL library");
    }

    private static void assertQuiet(Output o, String why) {
        String all = o.out + o.err;
        assertEquals(0, o.rc, all);
        assertFalse(o.err.lines().anyMatch(l -> l.startsWith("SEVERE") || l.contains("com.aparapi")),
                "Aparapi's own log lines reached stderr:\n" + o.err);
        assertTrue(all.lines().filter(l -> l.contains("Check your environment")).allMatch(l -> l.contains("kernels: " + why)),
                "Aparapi's words only inside our one line:\n" + all);
        long whyLines = all.lines().filter(l -> l.contains("kernels: " + why)).count();
        assertEquals(1, whyLines, "one line saying why there is no OpenCL:\n" + all);
        assertTrue(all.lines().anyMatch(l -> l.contains("kernels: using java")), "the loud backend choice:\n" + all);
        assertTrue(o.out.contains("chosen java"), all);
    }

    private record Output(int rc, String out, String err) {
    }

    private static List<String> javaCommand() {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dlog4j2.level=INFO",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    }

    private static Output run(List<String> cmd, Path icdVendors) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        Path out = Files.createTempFile(dir, "probe", ".out");
        Path err = Files.createTempFile(dir, "probe", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (icdVendors != null) {
            pb.environment().put("OCL_ICD_VENDORS", icdVendors.toString());
        }
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s: " + cmd);
        }
        return new Output(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
