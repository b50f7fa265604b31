package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.starspark.sharding.StarPlan;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a document's stored K/V were made from; written last ({@link KvStore#commit}) and checked by a
 * new driver before it answers from the store ({@link #requireCompatible}).
 *
 * @param modelId           sha-256 (hex) of the model file
 * @param modelConfig       model shape fingerprint, see {@link KvLayout#modelFingerprint()}
 * @param contextTokensHash sha-256 (hex) of the context token ids, see {@link #hashTokens}
 * @param createdBy         free text (tool and version); not compared
 */
public record Manifest(int formatVersion, String docId, String modelId, String modelConfig, int contextLength,
        int blockSize, int anchorSize, int pageSize, KvDtype dtype, String contextTokensHash, String createdBy)
        implements Serializable {

    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Manifest {
        new StarPlan(contextLength, blockSize, anchorSize, pageSize); // validates the sizes
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelConfig, "modelConfig");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(contextTokensHash, "contextTokensHash");
    }

    public static Manifest of(String docId, String modelId, KvLayout layout, StarPlan plan, int[] contextTokens,
            String createdBy) {
        if (plan.pageSize() != layout.pageSize() || plan.contextLength() != contextTokens.length) {
            throw new IllegalArgumentException("plan " + plan + " does not fit layout pageSize " + layout.pageSize()
                    + " and " + contextTokens.length + " context tokens");
        }
        return new Manifest(FORMAT_VERSION, docId, modelId, layout.modelFingerprint(), plan.contextLength(),
                plan.blockSize(), plan.anchorSize(), plan.pageSize(), layout.dtype(), hashTokens(contextTokens),
                createdBy);
    }

    public StarPlan plan() {
        return new StarPlan(contextLength, blockSize, anchorSize, pageSize);
    }

    /**
     * What every block file of this document carries (sha-256, hex): the compared fields (not
     * {@code createdBy}). Two manifests that {@link #requireCompatible} accepts have the same binding, so a
     * store refuses a block of another document, model or settings even when its checksums are valid.
     */
    public String binding() {
        String fields = String.join("\n", Integer.toString(formatVersion), docId, modelId, modelConfig,
                contextTokensHash, Integer.toString(contextLength), Integer.toString(blockSize),
                Integer.toString(anchorSize), Integer.toString(pageSize), dtype.name());
        return sha256(fields.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** sha-256 (hex) of the token ids as little-endian int32. */
    public static String hashTokens(int[] tokens) {
        ByteBuffer bytes = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(tokens);
        return sha256(bytes.array());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * Throws when this (stored) manifest differs from what the current run expects, naming every
     * mismatched field, e.g. {@code K/V at hdfs://nn/kv/doc-1 was prefilled with model 9f3a… but this run
     * uses 270c…; re-prefill with --reprefill or point --kv-dir elsewhere}. {@code createdBy} is not compared.
     */
    public void requireCompatible(Manifest expected, String location) {
        List<String> diffs = new ArrayList<>();
        diff(diffs, "format version", formatVersion, expected.formatVersion);
        diff(diffs, "document", docId, expected.docId);
        diff(diffs, "model", modelId, expected.modelId);
        diff(diffs, "model config", modelConfig, expected.modelConfig);
        diff(diffs, "context tokens", contextTokensHash, expected.contextTokensHash);
        diff(diffs, "contextLength", contextLength, expected.contextLength);
        diff(diffs, "blockSize", blockSize, expected.blockSize);
        diff(diffs, "anchorSize", anchorSize, expected.anchorSize);
        diff(diffs, "pageSize", pageSize, expected.pageSize);
        diff(diffs, "dtype", dtype, expected.dtype);
        if (!diffs.isEmpty()) {
            throw new KvStoreException("K/V at " + location + " was prefilled with " + String.join(", ", diffs)
                    + "; re-prefill with --reprefill or point --kv-dir elsewhere");
        }
    }

    private static void diff(List<String> diffs, String field, Object stored, Object expected) {
        if (!Objects.equals(stored, expected)) {
            diffs.add(field + " " + stored + " but this run uses " + expected);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + this, e);
        }
    }

    /** Parses a manifest; {@code location} names the file in errors. */
    public static Manifest fromJson(byte[] json, String location) {
        Manifest m;
        try {
            m = JSON.readValue(json, Manifest.class);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new KvStoreException("manifest " + location + " is not valid: " + e.getMessage(), e);
        }
        if (m.formatVersion > FORMAT_VERSION) {
            throw new KvStoreException("manifest " + location + " has format version " + m.formatVersion
                    + ", this build reads up to " + FORMAT_VERSION + "; upgrade starspark or re-prefill");
        }
        return m;
    }
}
