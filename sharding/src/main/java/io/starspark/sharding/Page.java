package io.starspark.sharding;

import java.io.Serializable;

/** Page {@code index} covers context tokens {@code [start, end)}; only the document's last page may be short. */
public record Page(int index, int start, int end) implements Serializable {

    public Page {
        if (index < 0 || start < 0 || end <= start) {
            throw new IllegalArgumentException(
                    "page needs index >= 0 and 0 <= start < end (got index " + index + ", [" + start + ", " + end + "))");
        }
    }

    public int length() {
        return end - start;
    }
}
