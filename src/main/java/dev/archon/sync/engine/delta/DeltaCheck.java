package dev.archon.sync.engine.delta;

import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.engine.plan.TableFingerprint;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verification of a row delta before COMMIT, bucket by bucket, as exact as comparing the whole table's
 * fingerprint with the source's and without reading it whole: the buckets the delta wrote must hold the source's
 * rows — the rows it wrote digested again, the rows it kept found by their row versions (a row version names one
 * stored row, whose contents preflight digested); every other bucket held the source's rows in preflight (that is
 * why it was left alone) and must still hold the same row versions, so nobody wrote to it since (a write by
 * another session — the delta holds no lock against writers — changes a row version, or adds a bucket).
 * The owned sequences must have the source's state, as in the fingerprint.
 */
public final class DeltaCheck {
    private DeltaCheck() {
    }

    /** What differs from the source; empty when the table, as this transaction sees it, holds the source's rows. */
    public static List<String> problems(Connection c, TablePlan t) throws SQLException {
        RowDelta d = t.delta();
        RowDelta.Buckets before = d.buckets();
        List<String> problems = new ArrayList<>();
        Map<Long, List<BucketRows.Row>> written = d.bucketing().afterWrite(c, before.differing(), d.keptWriters());
        long wrong = before.differing().stream().filter(b -> !holdsTheSourceRows(d, b, written.getOrDefault(b, List.of()))).count();
        if (wrong > 0) {
            problems.add(String.format("%s does not equal the source after its row delta (%,d of the %,d buckets it wrote differ: "
                    + "changed on the target during the sync?)", t.table(), wrong, before.differing().size()));
        }
        Map<Long, String> versions = d.bucketing().versions(c);
        Set<Long> others = new HashSet<>(versions.keySet());
        others.addAll(before.target().keySet());
        others.removeAll(before.differing());
        long rewritten = others.stream().filter(b -> {
            BucketDigests.Bucket then = before.target().get(b);
            return !Objects.equals(then == null ? null : then.versions(), versions.get(b));
        }).count();
        if (rewritten > 0) {
            problems.add(String.format("%s does not equal the source after its row delta (%,d buckets it left alone were written "
                    + "to since preflight: changed on the target during the sync?)", t.table(), rewritten));
        }
        TableFingerprint now = TableFingerprint.of(c, List.of(t.table()), new HashMap<>(), Map.of(t.table(), t.sourceFingerprint()))
                .get(t.table());
        if (!now.sequences().equals(t.sourceFingerprint().sequences())) {
            problems.add(String.format("%s does not equal the source after its row delta (its sequences are %s, the source's %s)",
                    t.table(), now.sequences(), t.sourceFingerprint().sequences()));
        }
        return problems;
    }

    /**
     * A bucket the delta wrote holds the source's rows: its rows — those written since preflight, digested now, and
     * those it kept, by the digests preflight took of exactly their versions — have the source bucket's count and
     * digest. A row not digested whose version preflight did not see is a write since preflight: the bucket does not
     * hold the source's rows (failing there is right: someone wrote to the table during the sync).
     */
    private static boolean holdsTheSourceRows(RowDelta d, long bucket, List<BucketRows.Row> rows) {
        List<byte[]> digests = new ArrayList<>(rows.size());
        for (BucketRows.Row r : rows) {
            byte[] digest = r.digest() != null ? r.digest() : d.kept().get(r.version());
            if (digest == null) {
                return false;
            }
            digests.add(digest);
        }
        BucketDigests.Bucket source = d.buckets().source().get(bucket);
        return source == null ? rows.isEmpty() : source.rows() == rows.size() && source.digest().equals(BucketRows.sortedDigest(digests));
    }
}
