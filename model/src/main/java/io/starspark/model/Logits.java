package io.starspark.model;

/** Which logits {@link Forward#forward} returns: none, the last token's {@code [vocab]}, or all {@code [tokens][vocab]}. */
public enum Logits {
    NONE, LAST, ALL
}
