package io.starspark.driver;

import io.starspark.driver.star.PrefillReport;
import io.starspark.driver.star.StarRequest;
import java.io.Serializable;

/**
 * One question to answer in an executor task (plain serializable data), or a row that already failed.
 *
 * @param index   the row's place in the output (documents in input order, then their questions)
 * @param request the question over its document (null when {@code error} is set)
 * @param prefill phase 1 of the document (null for full attention or when {@code error} is set)
 * @param error   why the row has no answer, or null
 */
record QuestionJob(int index, String id, String question, StarRequest request, PrefillReport prefill, String master,
                   String error) implements Serializable {

    static QuestionJob failed(int index, String id, String question, String error) {
        return new QuestionJob(index, id, question, null, null, null, error);
    }
}
