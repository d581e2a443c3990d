package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.delta.BucketDigests;
import dev.archon.sync.engine.delta.BucketsRead;
import dev.archon.sync.engine.delta.BucketMemory;
import dev.archon.sync.engine.delta.Bucketings;
import dev.archon.sync.engine.delta.TableBuckets;
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
 * that has to be read on either side is read on both by its buckets ({@link Bucketings}) — with the last sync's
 * memory of them ({@link BucketMemory}), only the buckets whose row versions moved.
 */
final class Fingerprints {
    /**
     * One side's fingerprints.
     *
     * @param seconds  how long each table took (absent: not read, the last sync's record held)
     * @param versions each table's {@link RowVersions} where the fingerprints were taken
     * @param byBuckets the tables read by their buckets ({@link Bucketings}): their bucket digests
     * @param asLastSyncLeft the tables whose row versions are those the last sync recorded: they hold what it left
     */
    record Side(Map<TableName, TableFingerprint> fingerprints, Map<TableName, Double> seconds, Map<TableName, String> versions,
            Map<TableName, Bucketings.Read> byBuckets, Set<TableName> asLastSyncLeft) {
        static final Side NONE = new Side(Map.of(), Map.of(), Map.of(), Map.of(), Set.of());

        TableFingerprint of(TableName t) {
            return fingerprints.get(t);
        }
    }

    /**
     * Both sides; the target's is {@link Side#NONE} for the tables it does not have yet.
     *
     * @param bucketings the bucketing each side's reads used (a row delta compares buckets only under the same one)
     * @param memory     the last sync's memory of the bucketed tables' buckets, under the same bucketings
     */
    record Both(Side source, Side target, Bucketings bucketings, Map<TableName, BucketMemory.Remembered> memory) {
        /** What preflight saw of a table by its buckets, as a plan keeps it (no rows); null when it was not read by them. */
        TableBuckets bucketsOf(TableName t) {
            TableBuckets b = bucketsAndRowsOf(t);
            return b == null ? null : b.withoutRows();
        }

        /** The same with the rows each side read row by row: what a row delta compares. */
        TableBuckets bucketsAndRowsOf(TableName t) {
            Optional<BucketDigests> bucketing = bucketings.of(t);
            Bucketings.Read s = source.byBuckets().get(t);
            Bucketings.Read x = target.byBuckets().get(t);
            if (bucketing.isEmpty() || s == null) {
                return null;
            }
            return new TableBuckets(bucketing.get(), s.buckets(), x == null ? null : x.buckets(), memory.get(t),
                    new BucketsRead(s.digested(), x == null ? 0 : x.digested(), s.buckets().size()), s.rowsRead(),
                    x == null ? null : x.rowsRead());
        }
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
        // a table read on either side (its versions moved, or the target lacks it) is read on both by its buckets when it
        // is big and keyed: what a delta compares comes with the fingerprint, and what the next sync remembers. Nothing
        // moved (a quiet night): no bucketing is chosen, not a query more.
        List<TableName> toRead = onSource.stream().filter(t -> !(sourceKnown.containsKey(t) && targetKnown.containsKey(t))).toList();
        Map<TableName, String> rememberedBucketings = new HashMap<>();
        last.forEach((t, r) -> {
            if (r.bucketing() != null) {
                rememberedBucketings.put(t, r.bucketing());
            }
        });
        Bucketings bucketings = readContents && !toRead.isEmpty() ? Bucketings.choose(sourceSession, toRead, rememberedBucketings)
                : Bucketings.NONE;
        Map<TableName, BucketMemory.Remembered> memory = onTarget.isEmpty() ? Map.of()
                : BucketMemory.read(ctx.targetConnection, bucketings.ids());
        Map<TableName, BucketMemory.OneSide> sourceMemory = new HashMap<>();
        Map<TableName, BucketMemory.OneSide> targetMemory = new HashMap<>();
        memory.forEach((t, m) -> {
            LastSync.Remembered r = last.get(t);
            // the memory's versions are comparable only in the same file of the same server (RowVersions' prefix)
            if (sameStorage(versions.source().get(t), r.sourceVersions())) {
                sourceMemory.put(t, m.onSource(sourceKnown.containsKey(t)));
            }
            if (sameStorage(versions.target().get(t), r.targetVersions())) {
                targetMemory.put(t, m.onTarget(targetKnown.containsKey(t)));
            }
        });
        Set<TableName> bucketed = new HashSet<>(toRead.stream().filter(bucketings::covers).toList());
        Sides<Side> sides = Sides.atOnce("fingerprint-target", "fingerprinting the target",
                () -> side(sourceSession, onSource, versions.source(), sourceKnown, readContents, bucketings, bucketed, sourceMemory),
                () -> onTarget.isEmpty() ? Side.NONE
                        : tx.inRolledBackTransaction(c -> side(c, onTarget, versions.target(), targetKnown, readContents, bucketings,
                                bucketed, targetMemory)));
        return new Both(sides.source(), sides.target(), bucketings, memory);
    }

    /**
     * One side's fingerprints: from {@code known} (the record, where the row versions held) unless the table is to
     * be read by its buckets; else read — by its buckets where it has a bucketing, with the memory of them where
     * this side has one.
     */
    private static Side side(Connection c, List<TableName> tables, Map<TableName, String> versions, Map<TableName, TableFingerprint> known,
            boolean readContents, Bucketings bucketings, Set<TableName> bucketed, Map<TableName, BucketMemory.OneSide> memory)
            throws SQLException {
        Map<TableName, Double> seconds = new ConcurrentHashMap<>();
        Map<TableName, TableFingerprint> taken = new LinkedHashMap<>(known);
        Map<TableName, Bucketings.Read> byBuckets = new HashMap<>();
        for (TableName t : tables) {
            if (!readContents || (known.containsKey(t) && !bucketed.contains(t))) {
                continue;
            }
            long start = System.nanoTime();
            Optional<Bucketings.Read> read = bucketings.read(c, t, memory.get(t));
            if (read.isPresent()) {
                taken.put(t, new TableFingerprint(read.get().rows(), read.get().digest(), "")); // sequences: read below
                byBuckets.put(t, read.get());
                seconds.put(t, (System.nanoTime() - start) / 1e9);
            }
        }
        Map<TableName, TableFingerprint> fingerprints = TableFingerprint.of(c, tables, seconds, taken, readContents);
        return new Side(fingerprints, seconds, versions, byBuckets, Set.copyOf(known.keySet()));
    }

    /** Whether two {@link RowVersions} are of the same storage — server, database and file — whatever rows they hold. */
    private static boolean sameStorage(String now, String recorded) {
        return now != null && recorded != null && storage(now).equals(storage(recorded));
    }

    /** A {@link RowVersions} value without its last two parts, the row count and the versions' digest. */
    private static String storage(String versions) {
        int digest = versions.lastIndexOf('/');
        return digest <= 0 ? versions : versions.substring(0, Math.max(0, versions.lastIndexOf('/', digest - 1)));
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
