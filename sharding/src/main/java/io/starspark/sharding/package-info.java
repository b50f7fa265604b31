/**
 * Star Attention planning, pure functions over plain serializable records.
 *
 * <pre>
 * StarPlan plan = StarPlan.of(contextLength, blockSize, anchorSize, pageSize);
 * for (List&lt;Integer&gt; group : plan.assign(numPartitions)) {      // one Spark task per group
 *     for (int i : group) {
 *         Block b = plan.block(i);
 *         int[] run = b.runTokenIndices();     // context indices to run: anchor ++ block
 *         int[] pos = b.runPositions();        // their position ids (global)
 *         // keep rows [b.keptOffset(), b.keptOffset() + b.keptLength()) of the run's K/V
 *     }
 * }
 * int[] qPos = plan.questionPositions(questionTokens);  // n, n+1, ...
 * </pre>
 */
package io.starspark.sharding;
