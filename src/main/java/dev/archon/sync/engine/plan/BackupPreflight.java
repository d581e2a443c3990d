package dev.archon.sync.engine.plan;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.backup.WritableDirectory;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.TableName;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Before anything is touched: can the pre-sync backup be written, and does it fit? The estimate is
 * the heap+TOAST size of the target's synced tables times {@value #COPY_EXPANSION}: the table files hold the
 * rows as binary COPY (measured 0.71× of heap+TOAST on the benchmark's data: no generated tsvector, no page
 * overhead), but values TOAST keeps compressed — long page content — are written out whole.
 */
public final class BackupPreflight {
    public static final double COPY_EXPANSION = 1.5;

    private BackupPreflight() {
    }

    static void check(SyncContext ctx, Catalog target, List<TableName> tables, boolean fresh, List<Refusal> refusals)
            throws SQLException {
        if (!ctx.job.request().backup() || fresh) {
            return; // nothing to back up on a target without the tables
        }
        BackupStore store = ctx.settings.backups();
        Path dir = store.directory();
        Optional<String> unwritable = WritableDirectory.backups(dir).whyNotWritable();
        if (unwritable.isPresent()) {
            refusals.add(new Refusal("backup_dir_unwritable", unwritable.get() + ", or sync with \"backup\": false"));
            return;
        }
        long bytes = 0;
        for (TableName t : tables) {
            bytes += target.dataBytes(t);
        }
        long need = (long) (bytes * COPY_EXPANSION);
        try {
            long free = ctx.settings.freeSpace().usableBytes(dir);
            if (free < need) {
                refusals.add(new Refusal("disk_space", String.format("the backup of the target needs about %,d MB "
                        + "(%,d MB of table data × %.1f) but %s has %,d MB free: free space, point ARCHON_SYNC_BACKUP_DIR "
                        + "elsewhere, lower ARCHON_SYNC_BACKUP_KEEP, or sync with \"backup\": false",
                        need >> 20, bytes >> 20, COPY_EXPANSION, dir.toAbsolutePath(), free >> 20)));
            }
        } catch (IOException e) {
            refusals.add(new Refusal("disk_space", "cannot read the free space of " + dir.toAbsolutePath() + ": " + e.getMessage()));
        }
    }
}
