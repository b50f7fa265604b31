package io.starspark.model;

/**
 * Attention of a batch's queries over some set of keys, mergeable by log-sum-exp.
 *
 * @param out [tokens][heads][headDim]
 * @param lse [tokens][heads], natural log; -inf where no key was visible
 */
public record Partial(float[] out, float[] lse) {
}
