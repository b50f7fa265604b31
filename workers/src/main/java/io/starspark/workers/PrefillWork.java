package io.starspark.workers;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One phase-1 task's share of one document: what the document's tasks need and a group of its blocks.
 * Phase 1 of many documents runs as one Spark job whose partitions are these, one each.
 *
 * @param doc    the document's index in the job (its blocks' {@link BlockResult#doc()})
 * @param blocks the blocks this task runs, in order
 */
public record PrefillWork(int doc, PrefillConf conf, List<BlockSpec> blocks) implements Serializable {
    public PrefillWork {
        Objects.requireNonNull(conf, "conf");
        if (doc < 0) {
            throw new IllegalArgumentException("doc index " + doc + " < 0");
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("document " + doc + ": a phase-1 task without blocks");
        }
        blocks = new ArrayList<>(blocks); // a copy of a class Kryo has registered (partitions go through Kryo)
    }
}
