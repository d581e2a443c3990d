package dev.archon.sync.engine.load;

import dev.archon.sync.engine.Refusals;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncReport;
import dev.archon.sync.engine.delta.BucketMemory;
import dev.archon.sync.engine.delta.DeltaApply;
import dev.archon.sync.engine.delta.TableBuckets;
import dev.archon.sync.engine.plan.LastSync;
import dev.archon.sync.engine.plan.RowVersions;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.engine.plan.TableFingerprint;
import dev.archon.sync.engine.schema.FreshTargetSchema;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.Index;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The importing phase, inside the one target transaction: lock, re-check the data-loss guard, TRUNCATE the
 * tables whose rows are replaced, create the tables the sync creates (a fresh target's, or those an existing
 * target lacks), bring the schema along, tell Supabase's API, take the indexes down, load the rows, set the sequences. Nothing here
 * commits; the run does after verifying, or the transaction rolls back and the target is as it was.
 */
public final class TargetLoad {
    private TargetLoad() {
    }

    /** Where the rows come from: the source database's snapshot, or a backup archive. */
    @FunctionalInterface
    public interface RowSource {
        void load(SyncContext ctx) throws Exception;
    }

    /**
     * @param createdSchemaDdl the source's DDL of the tables this sync creates (all on a fresh target), or null
     * @return the indexes taken down for the load, which the indexing phase rebuilds
     */
    public static List<Index> run(SyncContext ctx, TargetTransaction target, String createdSchemaDdl, RowSource rows) throws Exception {
        List<TableName> replaced = ctx.plan.truncatedNames();
        List<TableName> deltas = ctx.plan.deltas().stream().map(TablePlan::table).toList();
        List<TableName> unchanged = ctx.plan.unchangedNames();
        target.begin(ctx.settings.maintenanceWorkMem());
        ctx.job.progress(0, "Locking the target's tables");
        target.lock(replaced);
        target.lockForRowChanges(deltas); // ROW EXCLUSIVE: readers of a delta table are never blocked
        target.lockAgainstWriters(unchanged);
        recheckUnderTheLock(ctx);
        ctx.cancel().throwIfCancelled();
        ctx.credentials.putAside(ctx); // keep_target_credentials (issue 19)
        // Exactly the tables reloaded whole (each one's FK children with it; a row delta is never truncated), one statement, never
        // CASCADE; RESTART IDENTITY makes the setval below part of this transaction (rolled back with it).
        if (!replaced.isEmpty()) {
            Sql.exec(ctx.targetConnection, "TRUNCATE TABLE " + replaced.stream().map(TableName::sql).collect(Collectors.joining(", "))
                    + " RESTART IDENTITY");
        }
        // Then the schema: tables created here are empty and never truncated (a TRUNCATE would need every table
        // referencing them, and the parents they reference are truncated already).
        if (createdSchemaDdl != null) {
            ctx.job.progress(0, ctx.plan.freshTarget() ? "Creating Archon's tables on the empty target from the source's schema"
                    : "Creating " + Refusals.join(ctx.plan.createdNames()) + " on the target from the source's schema");
            FreshTargetSchema.create(ctx, createdSchemaDdl);
        }
        SchemaDrift.apply(ctx, ctx.schemaChanges); // issue 12: "schema": true
        if (createdSchemaDdl != null || !ctx.schemaChanges.isEmpty()) {
            tellTheApiToReload(ctx);
        }
        List<Index> takenDown = IndexRebuild.dropForLoad(ctx);
        rows.load(ctx);
        ctx.cancel().throwIfCancelled();
        ctx.credentials.putBack(ctx);
        SequenceSync.apply(ctx);
        rememberThisSync(ctx);
        return takenDown;
    }

    /**
     * Supabase's API (PostgREST, which Archon's server talks to) caches the schema; its event triggers do not fire
     * under session_replication_role = replica, so the sync tells it itself. A NOTIFY is delivered at COMMIT and
     * never after a rollback.
     */
    private static void tellTheApiToReload(SyncContext ctx) throws SQLException {
        Sql.exec(ctx.targetConnection, "NOTIFY pgrst, 'reload schema'");
    }

    /**
     * For the next sync's data-loss guard and fingerprints: what the target holds once this commits (a restore:
     * unknown), and what its bucketed tables hold bucket by bucket.
     */
    private static void rememberThisSync(SyncContext ctx) throws SQLException {
        if (ctx.plan.restore()) {
            LastSync.forget(ctx, ctx.plan.tableNames());
            return;
        }
        remember(ctx, ctx.plan.tables(), null);
    }

    /**
     * Nothing differs, but some tables were read (their row versions had moved since the last sync: the source's
     * server restarted, a VACUUM FULL, a write and its undo): the sync's record of them is brought up to date in a
     * short transaction of its own, so that the next quiet night reads nothing. No Archon table is written or locked:
     * a table whose row versions moved again since preflight is left out (the next sync reads it again). The
     * caller commits.
     *
     * @return the tables remembered
     */
    public static List<TableName> rememberWhatWasRead(SyncContext ctx, TargetTransaction target) throws SQLException {
        List<TablePlan> read = ctx.plan.tables().stream().filter(TablePlan::readOnEitherSide).toList();
        target.begin(ctx.settings.maintenanceWorkMem());
        Map<TableName, String> now = RowVersions.onTarget(ctx.targetConnection, read.stream().map(TablePlan::table).toList());
        List<TablePlan> still = read.stream().filter(t -> now.get(t.table()).equals(t.targetVersions())).toList();
        Map<TableName, String> versions = new LinkedHashMap<>();
        still.forEach(t -> versions.put(t.table(), t.targetVersions())); // what the fingerprints were taken of, checked just now
        remember(ctx, still, versions);
        return still.stream().map(TablePlan::table).toList();
    }

    /**
     * Records {@code tables}: each one's fingerprint and row versions on both sides, and its buckets where it was read
     * by them.
     *
     * @param targetVersions the target's row versions to record (null: read now, in this transaction, after its writes)
     */
    private static void remember(SyncContext ctx, List<TablePlan> tables, Map<TableName, String> targetVersions) throws SQLException {
        Map<TableName, TableFingerprint> loaded = new LinkedHashMap<>();
        Map<TableName, String> sourceVersions = new LinkedHashMap<>();
        List<TableName> unread = new java.util.ArrayList<>();
        tables.forEach(t -> {
            if (t.sourceFingerprint() == null || t.sourceFingerprint().contentsRead()) {
                loaded.put(t.table(), ctx.credentials.fingerprintAfterLoad(t)); // the source's, but settings with kept credentials
                sourceVersions.put(t.table(), t.sourceVersions());
            } else {
                unread.add(t.table());
            }
        });
        // a full replace did not read the contents: nothing to remember for those tables (the next sync reads them)
        if (!unread.isEmpty()) {
            LastSync.forget(ctx, unread);
        }
        if (loaded.isEmpty()) {
            return;
        }
        Map<TableName, LastSync.Buckets> buckets = new LinkedHashMap<>();
        java.util.Set<TableName> bucketsKept = new java.util.HashSet<>();
        for (TablePlan t : tables) {
            TableBuckets seen = t.buckets();
            if (!loaded.containsKey(t.table())) {
                continue;
            }
            if (seen == null) {
                // read on neither side: nothing moved, its memory (if any) still holds. Read, but not by its buckets: its
                // record now names other row versions than its memory was taken with, so the memory goes
                if (!t.reload() && !t.readOnEitherSide()) {
                    bucketsKept.add(t.table());
                }
                continue;
            }
            if (seen.source() == null || !loaded.get(t.table()).equals(t.sourceFingerprint())) {
                continue; // not read by its buckets on the source, or kept credentials: its rows are not the source's
            }
            // the target's row versions per bucket once this commits: written tables scanned again, the others as preflight read
            Map<Long, String> bucketVersions = new java.util.HashMap<>();
            if (t.reload()) {
                bucketVersions.putAll(seen.bucketing().versions(ctx.targetConnection));
            } else if (seen.target() != null) {
                seen.target().forEach((b, x) -> bucketVersions.put(b, x.versions()));
            }
            BucketMemory.after(seen.source(), bucketVersions).ifPresent(now -> buckets.put(t.table(),
                    new LastSync.Buckets(seen.bucketing().id(), now, seen.remembered() == null ? null : seen.remembered().buckets())));
        }
        // the versions the target will hold once this commits (this transaction's own rows included)
        LastSync.record(ctx, loaded, sourceVersions, targetVersions != null ? targetVersions
                : RowVersions.onTarget(ctx.targetConnection, List.copyOf(loaded.keySet())), buckets, bucketsKept);
    }

    /**
     * Under the lock, where nobody can write any more: the tables to reload still hold as many rows as the
     * guard saw in preflight, and the tables left alone are still identical to the source — they hold the row
     * versions they held when their fingerprints were taken (read before the fingerprints, so a write that
     * slipped in at any point since is seen and never lost silently); without those versions, their
     * fingerprints again.
     */
    private static void recheckUnderTheLock(SyncContext ctx) throws SQLException {
        if (!ctx.plan.freshTarget() && !ctx.job.request().force() && !ctx.plan.restore()) {
            Catalog target = new Catalog(ctx.targetConnection);
            for (TablePlan t : ctx.plan.reloaded()) {
                if (t.reason().createdBySync()) {
                    continue; // not there yet: this transaction creates it
                }
                if (t.isDelta()) { // not locked against writers: its delete by row versions and the verification see a change
                    continue;
                }
                long now = target.count(t.table());
                if (now != t.targetRowsBefore()) {
                    throw new IllegalStateException(String.format("the target changed since preflight: %s had %,d rows, now %,d;"
                            + " nothing was changed, sync again", t.table(), t.targetRowsBefore(), now));
                }
            }
        }
        List<TableName> unchanged = ctx.plan.unchangedNames();
        if (unchanged.isEmpty()) {
            return;
        }
        if (ctx.plan.tables().stream().filter(t -> !t.reload()).allMatch(t -> t.targetVersions() != null)) {
            Map<TableName, String> versions = RowVersions.onTarget(ctx.targetConnection, unchanged);
            for (TablePlan t : ctx.plan.tables()) {
                if (!t.reload() && !t.targetVersions().equals(versions.get(t.table()))) {
                    throw new IllegalStateException(t.table() + " changed on the target during the sync; nothing was changed, sync again");
                }
            }
            return;
        }
        Savepoint readOnly = ctx.targetConnection.setSavepoint(); // the fingerprint's pinned settings end with it
        Map<TableName, TableFingerprint> now;
        try {
            now = TableFingerprint.of(ctx.targetConnection, unchanged);
        } finally {
            ctx.targetConnection.rollback(readOnly);
        }
        for (TablePlan t : ctx.plan.tables()) {
            if (!t.reload() && !t.sourceFingerprint().equals(now.get(t.table()))) {
                throw new IllegalStateException(t.table() + " changed on the target during the sync; nothing was changed, sync again");
            }
        }
    }

    /** The sync's row source: each table streamed from the source snapshot. */
    public static void copyTables(SyncContext ctx) throws SQLException {
        List<TablePlan> tables = ctx.plan.reloaded();
        double totalBytes = Math.max(1, ctx.plan.totalBytes());
        double doneBytes = 0;
        int index = 0;
        for (TablePlan t : tables) {
            ctx.cancel().throwIfCancelled();
            index++;
            final double before = doneBytes;
            final int n = index;
            String name = t.table().toString();
            ctx.job.tableStarted(name, before / totalBytes, String.format("Syncing %s (table %d/%d)", name, n, tables.size()));
            long start = System.nanoTime();
            TableCopier.Progress report = (rowsDelta, bytesDelta, rowsSoFar) -> {
                double tableFraction = t.sourceRows() == 0 ? 1 : Math.min(1, (double) rowsSoFar / t.sourceRows());
                ctx.job.rowsMoved(rowsDelta, bytesDelta, (before + tableFraction * Math.max(1, t.sourceBytes())) / totalBytes,
                        rowsMessage("Syncing", name, n, tables.size(), rowsSoFar, t.sourceRows()));
            };
            TableCopier.Result r = t.isDelta() ? DeltaApply.apply(ctx, t, report) : TableCopier.copy(ctx, t, report);
            doneBytes += Math.max(1, t.sourceBytes());
            ctx.job.tableDone(new SyncReport.TableResult(name, t.sourceRows(), t.targetRowsBefore(), r.rows(), r.bytes(),
                    (System.nanoTime() - start) / 1e9, t.isDelta() ? SyncPlan.ACTION_DELTA : t.format().name().toLowerCase(), true,
                    t.why()));
        }
    }

    public static String rowsMessage(String verb, String table, int n, int total, long rows, long totalRows) {
        if (totalRows > 1000) {
            return String.format("%s %s: %,d / %,d rows (%d%%)", verb, table, rows, totalRows, totalRows == 0 ? 100 : rows * 100 / totalRows);
        }
        return String.format("%s %s (table %d/%d)", verb, table, n, total);
    }
}
