package dev.archon.sync.engine.backup;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncReport;
import dev.archon.sync.engine.load.TargetLoad;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.pg.TableName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The restore's row source for a table-files backup: each {@link TableFile} loaded by COPY into the target
 * transaction, in the backup's order; the sequences come from the manifest (the load sets them afterwards).
 */
public final class TableFileRows {
    private TableFileRows() {
    }

    public static TargetLoad.RowSource of(BackupManifest backup, Path directory) {
        return ctx -> load(ctx, backup, directory);
    }

    private static void load(SyncContext ctx, BackupManifest backup, Path directory) throws Exception {
        Map<TableName, TablePlan> plans = ctx.plan.tables().stream().collect(Collectors.toMap(TablePlan::table, Function.identity()));
        long totalBytes = Math.max(1, backup.files().stream().mapToLong(BackupManifest.TableFile::bytes).sum());
        long doneBytes = 0;
        int index = 0;
        for (BackupManifest.TableFile f : backup.files()) {
            TableName table = TableName.parse(f.table());
            TablePlan plan = plans.get(table);
            if (plan == null) { // RestoreScope and the plan allow exactly the manifest's tables: never another
                throw new IOException("the backup holds a file for " + table + ", which the restore does not cover; nothing was restored");
            }
            String name = table.toString();
            index++;
            ctx.cancel().throwIfCancelled();
            long before = doneBytes;
            ctx.job.tableStarted(name, (double) before / totalBytes, String.format("Restoring %s (table %d/%d)", name, index,
                    backup.files().size()));
            long start = System.nanoTime();
            long[] reported = {0, 0};
            long rows = TableFile.load(ctx.targetConnection, table, f.columns(), "binary".equals(f.copyFormat()), directory.resolve(f.file()),
                    (rowsSoFar, bytes) -> {
                        ctx.cancel().throwIfCancelled();
                        long rowsDelta = rowsSoFar < 0 ? 0 : rowsSoFar - reported[0];
                        ctx.job.rowsMoved(rowsDelta, bytes - reported[1], (double) (before + bytes) / totalBytes,
                                String.format("Restoring %s: %,d / %,d MB", name, bytes >> 20, Math.max(1, f.bytes() >> 20)));
                        reported[0] += rowsDelta;
                        reported[1] = bytes;
                    });
            if (rows != f.rows()) {
                throw new IOException(String.format("the backup's file of %s held %,d rows where the backup counted %,d", name, rows, f.rows()));
            }
            doneBytes += f.bytes();
            ctx.job.tableDone(new SyncReport.TableResult(name, f.rows(), plan.targetRowsBefore(), rows, f.bytes(),
                    (System.nanoTime() - start) / 1e9, f.copyFormat(), true, "restore"));
        }
    }
}
