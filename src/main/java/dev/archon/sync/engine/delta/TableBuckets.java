package dev.archon.sync.engine.delta;

import java.util.Map;

/**
 * One table's buckets as preflight saw them: what a row delta compares, and what the load transaction remembers for
 * the next sync ({@link BucketMemory}).
 *
 * @param source     the source's buckets (null: not read by buckets there — its key is not the one bucketed)
 * @param target     the target's (null: likewise, or the target does not have the table yet)
 * @param remembered the last sync's memory under this bucketing (null: none), so that only what changed is rewritten
 * @param read       how many buckets each side digested to know them
 * @param sourceRows the source's rows of the buckets it read row by row, for the comparison of rows (null: none kept —
 *                   a plan carries no rows, only preflight's comparison needs them)
 * @param targetRows the target's likewise
 */
public record TableBuckets(BucketDigests bucketing, Map<Long, BucketDigests.Bucket> source, Map<Long, BucketDigests.Bucket> target,
        BucketMemory.Remembered remembered, BucketsRead read, BucketRows sourceRows, BucketRows targetRows) {

    /** The same without the rows: what a plan keeps until the load remembers the buckets. */
    public TableBuckets withoutRows() {
        return new TableBuckets(bucketing, source, target, remembered, read, null, null);
    }
}
