package dev.archon.sync.engine.plan;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.PreparedSync;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncSettings;
import java.sql.SQLException;

/**
 * The validating phase: every reason not to start, found before anything is touched, and the plan. It
 * opens what the run will use ({@link PreflightSessions}) and hands it over in a {@link PreparedSync}, or
 * closes it again when it refuses or fails. A sync is validated by {@link SyncPreflight} (its checks:
 * {@link SyncChecks}), a restore by {@link RestorePreflight}. The target is only read.
 */
public final class Preflight {
    private Preflight() {
    }

    /** Validates a sync: connect, lock, snapshot the source, find the tables, check, fingerprint, plan. */
    public static PreparedSync sync(SyncJob job, SyncSettings settings) throws SQLException {
        return SyncPreflight.prepare(job, settings);
    }

    /** Validates a restore: the target must have the tables; the backup supplies the rows. */
    public static PreparedSync restore(SyncJob job, SyncSettings settings, BackupManifest backup) throws SQLException {
        return RestorePreflight.prepare(job, settings, backup);
    }
}
