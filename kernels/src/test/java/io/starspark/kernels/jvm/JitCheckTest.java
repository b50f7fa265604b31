package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
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
}
