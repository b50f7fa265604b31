package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.sharding.StarPlan;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {
    private static final KvLayout LAYOUT = new KvLayout(5, 4, 8, 64, KvDtype.F16);
    // built per test, not in a static initializer: PIT credits only code that a test method runs
    private final Manifest m = Manifest.of("doc-1", "9f3a", LAYOUT, StarPlan.of(3, 4096, 512, 64),
            new int[] {1, 2, 300000}, "starspark test");

    @Test
    void tokenHashIsSha256OfLittleEndianInt32() {
        // expected values from Python: hashlib.sha256(struct.pack('<3i', 1, 2, 300000)).hexdigest()
        assertEquals("f7af31f5e549cbecac5e079b2353c2b09ae619504e7911abc993c1b76684dd24", m.contextTokensHash());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Manifest.hashTokens(new int[0]));
    }

    @Test
    void jsonRoundTrip() {
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"modelConfig\" : \"layers=5,kvHeads=4,headDim=8\""), json);
        assertTrue(json.contains("\"dtype\" : \"F16\""), json);
        assertEquals(m, Manifest.fromJson(m.toJson(), "x"));
        assertEquals(StarPlan.of(3, 4096, 512, 64), m.plan());
    }

    @Test
    void everyMismatchIsNamed() {
        Manifest expected = new Manifest(1, "doc-1", "270c", m.modelConfig(), 3, 2048, 512, 64, KvDtype.F32,
                m.contextTokensHash(), "another tool");
        KvStoreException e = assertThrows(KvStoreException.class,
                () -> m.requireCompatible(expected, "hdfs://nn/kv/doc-1"));
        assertEquals("K/V at hdfs://nn/kv/doc-1 was prefilled with model 9f3a but this run uses 270c, blockSize 4096"
                + " but this run uses 2048, dtype F16 but this run uses F32; re-prefill with --reprefill or point --kv-dir elsewhere",
                e.getMessage());
        m.requireCompatible(new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 3, 4096, 512, 64, KvDtype.F16,
                m.contextTokensHash(), "createdBy is not compared"), "x");
    }

    /** Each compared field alone makes a mismatch, named with both values; createdBy alone does not. */
    @Test
    void eachComparedFieldIsCheckedOnItsOwn() {
        String hash = m.contextTokensHash();
        String other = Manifest.hashTokens(new int[] {1, 2, 3});
        Map<String, Manifest> oneFieldOff = new LinkedHashMap<>();
        oneFieldOff.put("format version 1 but this run uses 2",
                new Manifest(2, "doc-1", "9f3a", m.modelConfig(), 3, 4096, 512, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("document doc-1 but this run uses doc-2",
                new Manifest(1, "doc-2", "9f3a", m.modelConfig(), 3, 4096, 512, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("model 9f3a but this run uses 9f3b",
                new Manifest(1, "doc-1", "9f3b", m.modelConfig(), 3, 4096, 512, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("model config layers=5,kvHeads=4,headDim=8 but this run uses layers=6,kvHeads=4,headDim=8",
                new Manifest(1, "doc-1", "9f3a", "layers=6,kvHeads=4,headDim=8", 3, 4096, 512, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("context tokens " + hash + " but this run uses " + other,
                new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 3, 4096, 512, 64, KvDtype.F16, other, "t"));
        oneFieldOff.put("contextLength 3 but this run uses 4",
                new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 4, 4096, 512, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("blockSize 4096 but this run uses 2048",
                new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 3, 2048, 512, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("anchorSize 512 but this run uses 256",
                new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 3, 4096, 256, 64, KvDtype.F16, hash, "t"));
        oneFieldOff.put("pageSize 64 but this run uses 128",
                new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 3, 4096, 512, 128, KvDtype.F16, hash, "t"));
        oneFieldOff.put("dtype F16 but this run uses F32",
                new Manifest(1, "doc-1", "9f3a", m.modelConfig(), 3, 4096, 512, 64, KvDtype.F32, hash, "t"));
        for (Map.Entry<String, Manifest> e : oneFieldOff.entrySet()) {
            KvStoreException thrown = assertThrows(KvStoreException.class, () -> m.requireCompatible(e.getValue(), "x"),
                    e.getKey());
            assertEquals("K/V at x was prefilled with " + e.getKey()
                    + "; re-prefill with --reprefill or point --kv-dir elsewhere", thrown.getMessage());
        }
    }

    @Test
    void badJsonAndNewerFormatsAreRefusedWithTheLocation() {
        KvStoreException garbage = assertThrows(KvStoreException.class,
                () -> Manifest.fromJson("{\"docId\": 3".getBytes(StandardCharsets.UTF_8), "file:/kv/doc/manifest.json"));
        assertTrue(garbage.getMessage().startsWith("manifest file:/kv/doc/manifest.json is not valid: "),
                garbage.getMessage());
        String newer = new String(m.toJson(), StandardCharsets.UTF_8).replace("\"formatVersion\" : 1", "\"formatVersion\" : 9");
        KvStoreException e = assertThrows(KvStoreException.class,
                () -> Manifest.fromJson(newer.getBytes(StandardCharsets.UTF_8), "m.json"));
        assertEquals("manifest m.json has format version 9, this build reads up to 1; upgrade starspark or re-prefill",
                e.getMessage());
    }

    @Test
    void planMustFitLayoutAndTokens() {
        assertThrows(IllegalArgumentException.class, () -> Manifest.of("d", "m", LAYOUT, StarPlan.of(4, 4096, 512, 64),
                new int[3], "t"));
    }
}
