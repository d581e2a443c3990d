package dev.archon.sync.engine;

import dev.archon.sync.engine.SyncPlan.TablePlan;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The importing phase: opens the one target transaction and loads it. Nothing here commits; the
 * verifying phase does, or the transaction rolls back and the target is as it was.
 */
final class TargetLoad {
    private static final Pattern MEMORY = Pattern.compile("^\\d+\\s*(kB|MB|GB|TB)?$");

    private TargetLoad() {
    }

    /** Where the rows come from: the source database's snapshot, or a backup archive. */
    @FunctionalInterface
    interface RowSource {
        void load(SyncContext ctx) throws Exception;
    }

    static void run(SyncContext ctx, String freshSchemaDdl, RowSource rows) throws Exception {
        Connection tgt = ctx.targetConnection;
        List<TableName> tables = ctx.plan.tableNames();
        String list = tables.stream().map(TableName::sql).collect(Collectors.joining(", "));
        tgt.setAutoCommit(false);
        // No trigger may fire while loading: Archon's would rewrite updated_at, write task history and
        // touch MCP sessions. FK checks are off too, so verification checks every FK itself.
        Sql.exec(tgt, "SET LOCAL session_replication_role = replica");
        Sql.exec(tgt, "SET LOCAL lock_timeout = " + ctx.settings.lockTimeout().toMillis());
        Sql.exec(tgt, "SET LOCAL statement_timeout = 0");
        Sql.exec(tgt, "SET LOCAL idle_in_transaction_session_timeout = 0");
        String mwm = ctx.settings.maintenanceWorkMem().trim();
        if (MEMORY.matcher(mwm).matches()) {
            Sql.queryString(tgt, "SELECT set_config('maintenance_work_mem', ?, true)", mwm);
        }
        if (ctx.plan.freshTarget()) {
            ctx.job.progress(0, "Creating Archon's tables on the empty target from the source's schema");
            FreshTargetSchema.create(ctx, freshSchemaDdl);
        }
        ctx.job.progress(0, "Locking the target's tables");
        try {
            Sql.exec(tgt, "LOCK TABLE " + list + " IN ACCESS EXCLUSIVE MODE");
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                throw new SQLException("the target's tables stayed locked by other sessions for "
                        + ctx.settings.lockTimeout().toSeconds() + " s (lock_timeout); nothing was changed", e.getSQLState(), e);
            }
            throw e;
        }
        recheckDataLoss(ctx);
        ctx.cancel().throwIfCancelled();
        // Exactly the synced set, one statement, never CASCADE; RESTART IDENTITY makes the setval below
        // part of this transaction (rolled back with it).
        Sql.exec(tgt, "TRUNCATE TABLE " + list + " RESTART IDENTITY");
        IndexRebuild.dropForLoad(ctx);
        rows.load(ctx);
        ctx.cancel().throwIfCancelled();
        SequenceSync.apply(ctx);
    }

    /** Under the lock: the target may have changed since preflight counted it. */
    private static void recheckDataLoss(SyncContext ctx) throws SQLException {
        if (ctx.plan.freshTarget() || ctx.job.request().force() || ctx.job.request().isRestore()) {
            return;
        }
        Catalog target = new Catalog(ctx.targetConnection);
        Map<TableName, Long> sourceRows = new LinkedHashMap<>();
        Map<TableName, Long> targetRows = new LinkedHashMap<>();
        for (TablePlan t : ctx.plan.tables()) {
            sourceRows.put(t.table(), t.sourceRows());
            targetRows.put(t.table(), target.count(t.table()));
        }
        List<Refusal> loss = DataLossGuard.check(sourceRows, targetRows);
        if (!loss.isEmpty()) {
            throw new IllegalStateException("the target changed since preflight: " + loss.get(0).message());
        }
    }

    /** The sync's row source: each table streamed from the source snapshot. */
    static void copyTables(SyncContext ctx) throws SQLException {
        streamTables(ctx);
        // every row is read: end the source snapshot now rather than hold it through the index builds
        ctx.sourceConnection.commit();
    }

    private static void streamTables(SyncContext ctx) throws SQLException {
        List<TablePlan> tables = ctx.plan.tables();
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
            TableCopier.Progress report = ctx.settings.benchmark().skipProgress() ? (rowsDelta, bytesDelta, rowsSoFar) -> { }
                    : (rowsDelta, bytesDelta, rowsSoFar) -> {
                double tableFraction = t.sourceRows() == 0 ? 1 : Math.min(1, (double) rowsSoFar / t.sourceRows());
                ctx.job.rowsMoved(rowsDelta, bytesDelta, (before + tableFraction * Math.max(1, t.sourceBytes())) / totalBytes,
                        rowsMessage("Syncing", name, n, tables.size(), rowsSoFar, t.sourceRows()));
                    };
            TableCopier.Result r = TableCopier.copy(ctx, t, report);
            doneBytes += Math.max(1, t.sourceBytes());
            ctx.job.tableDone(new SyncReport.TableResult(name, t.sourceRows(), t.targetRowsBefore(), r.rows(), r.bytes(),
                    (System.nanoTime() - start) / 1e9, t.format().name().toLowerCase()));
        }
    }

    static String rowsMessage(String verb, String table, int n, int total, long rows, long totalRows) {
        if (totalRows > 1000) {
            return String.format("%s %s: %,d / %,d rows (%d%%)", verb, table, rows, totalRows, totalRows == 0 ? 100 : rows * 100 / totalRows);
        }
        return String.format("%s %s (table %d/%d)", verb, table, n, total);
    }
}
