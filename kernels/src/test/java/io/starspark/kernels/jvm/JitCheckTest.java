package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JitCheckTest {

    @Test
    void theJdkDefaultTrapLimitIsReportedWithTheFlagToUse() {
        String w = JitCheck.warning("100");
        assertNotNull(w);
        assertTrue(w.contains("-XX:PerMethodTrapLimit=100:"), w);
        assertTrue(w.contains("-XX:PerMethodTrapLimit=10000 as conf/jvm-flags does"), w);
        assertNotNull(JitCheck.warning("999"));
    }

    @Test
    void aLimitFromTheThresholdUpIsEnoughAndANonHotSpotJvmIsNotWarned() {
        assertNull(JitCheck.warning("1000"));
        assertNull(JitCheck.warning(String.valueOf(JitCheck.TRAP_LIMIT)));
        assertNull(JitCheck.warning(null));
    }

    /** The tests run with conf/jvm-flags (the root pom's starspark.jvm.flags, kept identical by ConfFilesTest). */
    @Test
    void thisJvmRunsWithTheLimitOfConfJvmFlags() {
        String value = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("PerMethodTrapLimit").getValue();
        assertEquals(String.valueOf(JitCheck.TRAP_LIMIT), value);
        assertNull(JitCheck.warning());
    }

    /** A JVM started with the JDK's default limit (no conf/jvm-flags) is told, with the flag that fixes it. */
    @Test
    void aJvmWithTheJdkDefaultLimitGetsTheWarning() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-XX:PerMethodTrapLimit=100", "-cp", System.getProperty("java.class.path"),
                PrintWarning.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        assertEquals(JitCheck.warning("100"), out);
    }

    /** Prints {@link JitCheck#warning()} of its own JVM. */
    public static final class PrintWarning {
        public static void main(String[] args) {
            System.out.print(JitCheck.warning());
        }
    }
}
