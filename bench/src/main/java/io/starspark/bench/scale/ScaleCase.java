package io.starspark.bench.scale;

/**
 * One benchmark run: a document of {@code tokens} tokens prefilled with this block and anchor size.
 *
 * @param tokens document length in tokens (BOS included)
 * @param block  Star block size
 * @param anchor Star anchor size (≤ block)
 */
record ScaleCase(int tokens, int block, int anchor) {
    ScaleCase {
        if (tokens < 2 || block < 1 || anchor < 1 || anchor > block) {
            throw new IllegalArgumentException("case needs tokens ≥ 2, block ≥ 1 and 1 ≤ anchor ≤ block (got tokens "
                    + tokens + ", block " + block + ", anchor " + anchor + ")");
        }
    }

    /** Parses {@code TOKENS:BLOCK:ANCHOR}, e.g. {@code 1000000:4096:4096}. */
    static ScaleCase parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("a case is TOKENS:BLOCK:ANCHOR, e.g. 65536:4096:4096 (got '" + text + "')");
        }
        return new ScaleCase(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                Integer.parseInt(parts[2].trim()));
    }
}
