package io.starspark.driver;

import java.util.List;

/**
 * One validated input row of {@code starspark run}.
 *
 * @param line      1-based line of the row in the input file (for messages)
 * @param questions non-empty, each non-empty
 * @param chat      each question is a user turn in the model's chat template ({@link Answerer#turn})
 */
record BatchDocument(String id, String document, List<String> questions, boolean chat, int line) {
    BatchDocument {
        questions = List.copyOf(questions);
    }
}
