package dev.archon.sync.engine;

/**
 * What the user asked for.
 *
 * @param force           load even if the target would lose rows (the data-loss guard); never set by the scheduler
 * @param backup          dump the target's synced tables before touching it
 * @param dryRun          validate and plan only
 * @param requestedBy     who asked (client address, "scheduler", …), for the history
 * @param restoreBackupId set for a restore: load this backup into the database the direction targets
 * @param schema          bring the source's Archon functions, views, policies and triggers along where the
 *                        target's differ (issue 12); without it such drift refuses the sync
 * @param full            replace every table, even those whose fingerprints equal the source's (issue 14);
 *                        the data-loss guard still applies
 * @param keepTargetCredentials the target keeps its own encrypted archon_settings rows (API keys only its
 *                        Archon's service key decrypts) and the source's are not copied (issue 19, {@link TargetCredentials})
 */
public record SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger,
        String requestedBy, String restoreBackupId, boolean schema, boolean full, boolean keepTargetCredentials) {

    public SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger,
            String requestedBy, String restoreBackupId, boolean schema, boolean full) {
        this(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, schema, full, false);
    }

    public SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger,
            String requestedBy, String restoreBackupId, boolean schema) {
        this(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, schema, false);
    }

    public SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger,
            String requestedBy, String restoreBackupId) {
        this(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, false);
    }

    public SyncRequest withSchema(boolean bringSchema) {
        return new SyncRequest(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, bringSchema, full,
                keepTargetCredentials);
    }

    /** The same request, replacing every table whether it differs or not. */
    public SyncRequest withFull(boolean replaceAll) {
        return new SyncRequest(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, schema, replaceAll,
                keepTargetCredentials);
    }

    /** The same request, keeping (or not) the target's own encrypted settings. */
    public SyncRequest withKeepTargetCredentials(boolean keep) {
        return new SyncRequest(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, schema, full, keep);
    }

    public SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger) {
        this(direction, force, backup, dryRun, trigger, null, null);
    }

    public SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger, String requestedBy) {
        this(direction, force, backup, dryRun, trigger, requestedBy, null);
    }

    /** Restores a backup of {@code database} ("local" or "remote"), forced and without a safety backup (tests, tools). */
    public static SyncRequest restore(String database, String backupId, Trigger trigger, String requestedBy) {
        return restore(database, backupId, true, false, trigger, requestedBy);
    }

    /**
     * A restore as users ask for it: with {@code safetyBackup} the target's current rows are backed up
     * first (a restore is a sync too, and can be the wrong one); without {@code force} the data-loss guard
     * refuses a restore that would remove rows the backup does not have.
     */
    public static SyncRequest restore(String database, String backupId, boolean force, boolean safetyBackup, Trigger trigger,
            String requestedBy) {
        Direction d = database.equals("local") ? Direction.REMOTE_TO_LOCAL : Direction.LOCAL_TO_REMOTE;
        return new SyncRequest(d, force, safetyBackup, false, trigger, requestedBy, backupId);
    }

    public boolean isRestore() {
        return restoreBackupId != null;
    }
}
