package dev.archon.sync.engine.delta;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rows of one table differ, by primary key: the target rows to delete (gone from the source, or
 * changed: then the source's version is copied in their place) and the source rows to copy (new or
 * changed). A changed primary key is a delete of the old key and a copy of the new one.
 *
 * @param deleteKeys      target keys to delete, one text per key column
 * @param deleteDigests   each one's row digest as preflight read it: the delete removes only that version,
 *                        so a row the target changed since is found rather than overwritten ({@link DeltaApply})
 * @param insertKeys      source keys to copy
 * @param goneFromSource  how many of the deleted keys the source does not have at all
 * @param buckets         the buckets compared: what verification checks the table against after the apply
 * @param kept            the target rows of the differing buckets that the delta leaves in place, each its row version
 *                        → its digest: verification finds them by their versions instead of digesting them again
 *                        ({@link DeltaCheck})
 */
public record RowDelta(BucketDigests bucketing, List<List<String>> deleteKeys, List<String> deleteDigests, List<List<String>> insertKeys,
        long goneFromSource, Buckets buckets, Map<String, byte[]> kept) {

    /**
     * Both sides' buckets as preflight read them.
     *
     * @param differing the buckets whose digests differed: the only ones the delta writes to
     */
    public record Buckets(Map<Long, BucketDigests.Bucket> source, Map<Long, BucketDigests.Bucket> target, Set<Long> differing) {
        int compared() {
            Set<Long> all = new HashSet<>(source.keySet());
            all.addAll(target.keySet());
            return all.size();
        }
    }

    /** The transactions that wrote the rows the delta keeps: each kept row version's xmin. */
    Set<String> keptWriters() {
        Set<String> out = new HashSet<>();
        kept.keySet().forEach(v -> out.add(BucketDigests.writerOf(v)));
        return out;
    }

    public int rowsToInsert() {
        return insertKeys.size();
    }

    public int rowsToDelete() {
        return deleteKeys.size();
    }

    /** The difference between the rows of the differing buckets on each side (key → row). */
    static RowDelta between(BucketDigests bucketing, Map<List<String>, BucketRows.Row> source, Map<List<String>, BucketRows.Row> target,
            Buckets buckets) {
        List<List<String>> delete = new ArrayList<>();
        List<String> deleteDigests = new ArrayList<>();
        List<List<String>> insert = new ArrayList<>();
        Map<String, byte[]> kept = new HashMap<>();
        long gone = 0;
        for (Map.Entry<List<String>, BucketRows.Row> t : target.entrySet()) {
            BucketRows.Row s = source.get(t.getKey());
            if (t.getValue().sameAs(s)) {
                kept.put(t.getValue().version(), t.getValue().digest());
            } else {
                delete.add(t.getKey());
                deleteDigests.add(HexFormat.of().formatHex(t.getValue().digest()));
                gone += s == null ? 1 : 0;
            }
        }
        for (Map.Entry<List<String>, BucketRows.Row> s : source.entrySet()) {
            if (!s.getValue().sameAs(target.get(s.getKey()))) {
                insert.add(s.getKey());
            }
        }
        return new RowDelta(bucketing, List.copyOf(delete), List.copyOf(deleteDigests), List.copyOf(insert), gone, buckets, kept);
    }

    @Override
    public String toString() { // the keys can be many: a plan's log line names counts only
        return String.format("RowDelta[%d to insert, %d to delete, %d of %d buckets differ]", rowsToInsert(), rowsToDelete(),
                buckets.differing().size(), buckets.compared());
    }
}
