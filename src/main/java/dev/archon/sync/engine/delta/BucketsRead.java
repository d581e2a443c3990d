package dev.archon.sync.engine.delta;

/**
 * How much of a bucketed table preflight read to know what each side holds: the buckets each side digested, of all
 * the source's buckets. The rest came from the last sync's memory ({@link BucketMemory}); all of them on a side
 * without one. What the plan, the events and the history show as "buckets read".
 */
public record BucketsRead(long source, long target, long of) {
}
