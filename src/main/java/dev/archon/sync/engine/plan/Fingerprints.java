package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.delta.BucketDigests;
import dev.archon.sync.engine.delta.Bucketings;
import dev.archon.sync.engine.session.Sides;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What each side holds, table by table: both sides at once, each on its own session and thread (only digests
 * cross the network) — the source in the sync's snapshot, the target in a transaction rolled back at once.
 * A table whose row versions are those the last sync recorded holds what it recorded: its content
 * fingerprint is taken from the record instead of read again. Versions first (both sides), then the contents:
 * a write in between changes the versions, so the lock's re-check (by versions) catches it. A big keyed table
 * whose versions moved on either side is read on both, with its buckets ({@link Bucketings}).
 */
final class Fingerprints {
    /**
     * One side's fingerprints.
     *
     * @param seconds  how long each table took (absent: not read, the last sync's record held)
     * @param versions each table's {@link RowVersions} where the fingerprints were taken
     * @param buckets  the bucket digests of the tables whose contents were read with a bucketing ({@link Bucketings})
     */
    record Side(Map<TableName, TableFingerprint> fingerprints, Map<TableName, Double> seconds, Map<TableName, String> versions,
            Map<TableName, Map<Long, BucketDigests.Bucket>> buckets) {
        static final Side NONE = new Side(Map.of(), Map.of(), Map.of(), Map.of());

        TableFingerprint of(TableName t) {
            return fingerprints.get(t);
        }
    }

    /**
     * Both sides; the target's is {@link Side#NONE} for the tables it does not have yet.
     *
     * @param bucketings the bucketing each side's reads used (a row delta compares buckets only under the same one)
     */
    record Both(Side source, Side target, Bucketings bucketings) {
    }

    private Fingerprints() {
    }

    /**
     * @param onSource the synced tables
     * @param onTarget those of them the target has (none on a fresh target)
     * @param readContents false for a full replace: every table is reloaded whatever it holds, so only the rows
     *                 are counted (for the data-loss guard) and no content is read
     */
    static Both take(SyncContext ctx, TargetTransaction tx, List<TableName> onSource, List<TableName> onTarget,
            boolean readContents) throws SQLException {
        Map<TableName, LastSync.Remembered> last = onTarget.isEmpty() ? Map.of() : LastSync.remembered(ctx.targetConnection);
        Connection sourceSession = ctx.sourceConnection; // in the sync's snapshot
        Sides<Map<TableName, String>> versions = Sides.atOnce("row-versions-target", "reading the target's row versions",
                () -> RowVersions.onSource(sourceSession, onSource),
                () -> onTarget.isEmpty() ? Map.of() : tx.inRolledBackTransaction(c -> RowVersions.onTarget(c, onTarget)));
        Map<TableName, TableFingerprint> sourceKnown = stillAsRecorded(versions.source(), last, LastSync.Remembered::sourceVersions);
        Map<TableName, TableFingerprint> targetKnown = stillAsRecorded(versions.target(), last, LastSync.Remembered::targetVersions);
        // a table whose versions moved on either side is the only one that can differ; a big keyed one then wants
        // both sides' buckets for its delta: each side reads them now, at once, instead of one after the other's
        // fingerprint. Nothing moved (a quiet night): no bucketing is chosen, not a query more.
        List<TableName> moved = onTarget.stream().filter(t -> !(sourceKnown.containsKey(t) && targetKnown.containsKey(t))).toList();
        Bucketings bucketings = readContents && !moved.isEmpty() ? Bucketings.choose(sourceSession, moved) : Bucketings.NONE;
        Set<TableName> bucketedOnBoth = new HashSet<>(moved.stream().filter(bucketings::covers).toList());
        Sides<Side> sides = Sides.atOnce("fingerprint-target", "fingerprinting the target",
                () -> side(sourceSession, onSource, versions.source(), sourceKnown, readContents, bucketings, bucketedOnBoth),
                () -> onTarget.isEmpty() ? Side.NONE
                        : tx.inRolledBackTransaction(c -> side(c, onTarget, versions.target(), targetKnown, readContents, bucketings,
                                bucketedOnBoth)));
        return new Both(sides.source(), sides.target(), bucketings);
    }

    /**
     * One side's fingerprints: from {@code known} (the record, where the row versions held) unless the table is to
     * be read with its buckets; else read — with its buckets where it has a bucketing (one read for both).
     */
    private static Side side(Connection c, List<TableName> tables, Map<TableName, String> versions, Map<TableName, TableFingerprint> known,
            boolean readContents, Bucketings bucketings, Set<TableName> bucketedOnBoth) throws SQLException {
        Map<TableName, Double> seconds = new ConcurrentHashMap<>();
        Map<TableName, TableFingerprint> taken = new LinkedHashMap<>(known);
        Map<TableName, Map<Long, BucketDigests.Bucket>> buckets = new HashMap<>();
        for (TableName t : tables) {
            if (!readContents || (known.containsKey(t) && !bucketedOnBoth.contains(t))) {
                continue;
            }
            long start = System.nanoTime();
            Optional<Bucketings.Read> read = bucketings.read(c, t); // the contents and the buckets in one read
            if (read.isPresent()) {
                taken.put(t, new TableFingerprint(read.get().rows(), read.get().digest(), "")); // sequences: read below
                buckets.put(t, read.get().buckets());
                seconds.put(t, (System.nanoTime() - start) / 1e9);
            }
        }
        Map<TableName, TableFingerprint> fingerprints = TableFingerprint.of(c, tables, seconds, taken, readContents);
        return new Side(fingerprints, seconds, versions, buckets);
    }

    /** The recorded fingerprints of the tables whose row versions are still the recorded ones. */
    private static Map<TableName, TableFingerprint> stillAsRecorded(Map<TableName, String> versions,
            Map<TableName, LastSync.Remembered> last, Function<LastSync.Remembered, String> recordedVersions) {
        Map<TableName, TableFingerprint> out = new LinkedHashMap<>();
        versions.forEach((t, v) -> {
            LastSync.Remembered r = last.get(t);
            if (r != null && v.equals(recordedVersions.apply(r))) {
                out.put(t, r.fingerprint());
            }
        });
        return out;
    }
}
