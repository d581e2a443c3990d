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
 * fingerprint with the source's and without reading it whole: the buckets the delta wrote are digested
 * again and must hold the source's rows; every other bucket held the source's rows in preflight (that is
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
        Map<Long, BucketDigests.Bucket> written = d.bucketing().buckets(c, before.differing());
        long wrong = before.differing().stream().filter(b -> !BucketDigests.sameRows(before.source().get(b), written.get(b))).count();
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
}
