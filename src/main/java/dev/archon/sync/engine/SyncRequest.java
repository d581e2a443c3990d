package dev.archon.sync.engine;

/**
 * What the user asked for. Built one way: {@link #sync} or {@link #restore}, then by name.
 *
 * @param force           load even if the target would lose rows (the data-loss guard); never set by the scheduler
 * @param backup          back up the target's replaced tables before touching it
 * @param dryRun          validate and plan only
 * @param requestedBy     who asked (client address, "scheduler", …), for the history
 * @param restoreBackupId set for a restore: load this backup into the database the direction targets
 * @param schema          bring the source's Archon functions, views, policies and triggers along where the
 *                        target's differ (issue 12), and create the synced tables an existing target lacks
 *                        (issue 19); without it such drift refuses the sync
 * @param full            replace every table, even those whose fingerprints equal the source's (issue 14);
 *                        the data-loss guard still applies
 * @param keepTargetCredentials the target keeps its own encrypted archon_settings rows (API keys only its
 *                        Archon's service key decrypts) and the source's are not copied (issue 19, {@link TargetCredentials})
 */
public record SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger,
        String requestedBy, String restoreBackupId, boolean schema, boolean full, boolean keepTargetCredentials) {

    /** A sync in that direction: no force, no backup, no dry run, unless said. */
    public static Builder sync(Direction direction, Trigger trigger) {
        return new Builder(direction, trigger, null);
    }

    /**
     * A restore of a backup of {@code database} ("local" or "remote"). With {@code backup(true)} the target's
     * current rows are backed up first (a restore is a sync too, and can be the wrong one); without
     * {@code force(true)} the data-loss guard refuses a restore that would remove rows the backup does not have.
     */
    public static Builder restore(String database, String backupId, Trigger trigger) {
        return new Builder(database.equals("local") ? Direction.REMOTE_TO_LOCAL : Direction.LOCAL_TO_REMOTE, trigger, backupId);
    }

    /** This request, to change by name. */
    public Builder toBuilder() {
        return new Builder(direction, trigger, restoreBackupId).force(force).backup(backup).dryRun(dryRun)
                .requestedBy(requestedBy).schema(schema).full(full).keepTargetCredentials(keepTargetCredentials);
    }

    public boolean isRestore() {
        return restoreBackupId != null;
    }

    public static final class Builder {
        private final Direction direction;
        private final Trigger trigger;
        private final String restoreBackupId;
        private boolean force;
        private boolean backup;
        private boolean dryRun;
        private String requestedBy;
        private boolean schema;
        private boolean full;
        private boolean keepTargetCredentials;

        private Builder(Direction direction, Trigger trigger, String restoreBackupId) {
            this.direction = direction;
            this.trigger = trigger;
            this.restoreBackupId = restoreBackupId;
        }

        public Builder force(boolean b) { force = b; return this; }
        public Builder backup(boolean b) { backup = b; return this; }
        public Builder dryRun(boolean b) { dryRun = b; return this; }
        public Builder requestedBy(String who) { requestedBy = who; return this; }
        public Builder schema(boolean b) { schema = b; return this; }
        public Builder full(boolean b) { full = b; return this; }
        public Builder keepTargetCredentials(boolean b) { keepTargetCredentials = b; return this; }

        public SyncRequest build() {
            return new SyncRequest(direction, force, backup, dryRun, trigger, requestedBy, restoreBackupId, schema, full,
                    keepTargetCredentials);
        }
    }
}
