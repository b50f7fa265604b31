package io.starspark.driver;

import java.util.List;

/**
 * One validated input row of {@code starspark run}.
 *
 * @param line      1-based line of the row in the input file (for messages)
 * @param questions non-empty, each non-empty
 */
record BatchDocument(String id, String document, List<String> questions, int line) {
    BatchDocument {
        questions = List.copyOf(questions);
    }
}
