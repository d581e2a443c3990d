package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The engine's inputs, independent of how they were configured (service config or a test).
 *
 * @param stallTimeout how long a server the sync uses may go without answering before the sync is stopped
 *                     and fails (see {@link StallWatchdog})
 */
public record SyncSettings(PgUri local, PgUri remote, TableSelection tables, Path workDir,
        String maintenanceWorkMem, Duration lockTimeout, PgClientTools clients, BackupStore backups, FreeSpace freeSpace,
        Duration stallTimeout) {

    /** The service's default for {@link #stallTimeout} (ARCHON_SYNC_STALL_TIMEOUT). */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(120);

    public SyncSettings {
        if (stallTimeout == null || stallTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("the stall timeout must be at least 1 s, not " + stallTimeout);
        }
    }

    /** With the default stall timeout. */
    public SyncSettings(PgUri local, PgUri remote, TableSelection tables, Path workDir, String maintenanceWorkMem,
            Duration lockTimeout, PgClientTools clients, BackupStore backups, FreeSpace freeSpace) {
        this(local, remote, tables, workDir, maintenanceWorkMem, lockTimeout, clients, backups, freeSpace, DEFAULT_STALL_TIMEOUT);
    }

    /** With a pinned table list (ARCHON_SYNC_TABLES) and the default stall timeout. */
    public SyncSettings(PgUri local, PgUri remote, List<TableName> tables, Path workDir, String maintenanceWorkMem,
            Duration lockTimeout, PgClientTools clients, BackupStore backups, FreeSpace freeSpace) {
        this(local, remote, TableSelection.pinned(tables, List.of()), workDir, maintenanceWorkMem, lockTimeout, clients, backups,
                freeSpace, DEFAULT_STALL_TIMEOUT);
    }

    /** The same settings choosing the tables another way. */
    public SyncSettings withTables(TableSelection selection) {
        return new SyncSettings(local, remote, selection, workDir, maintenanceWorkMem, lockTimeout, clients, backups, freeSpace,
                stallTimeout);
    }

    /** The same settings with another stall timeout. */
    public SyncSettings withStallTimeout(Duration timeout) {
        return new SyncSettings(local, remote, tables, workDir, maintenanceWorkMem, lockTimeout, clients, backups, freeSpace, timeout);
    }

    /** Usable bytes on the filesystem of a directory (a seam so tests can simulate a full disk). */
    @FunctionalInterface
    public interface FreeSpace {
        long usableBytes(Path dir) throws IOException;

        FreeSpace FILESYSTEM = dir -> Files.getFileStore(dir).getUsableSpace();
    }

    public PgUri source(Direction d) {
        return d == Direction.LOCAL_TO_REMOTE ? local : remote;
    }

    public PgUri target(Direction d) {
        return d == Direction.LOCAL_TO_REMOTE ? remote : local;
    }
}
