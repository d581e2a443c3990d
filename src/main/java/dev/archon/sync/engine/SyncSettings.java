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

/** The engine's inputs, independent of how they were configured (service config or a test). */
public record SyncSettings(PgUri local, PgUri remote, List<TableName> tables, Path workDir,
        String maintenanceWorkMem, Duration lockTimeout, PgClientTools clients, BackupStore backups, FreeSpace freeSpace) {

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
