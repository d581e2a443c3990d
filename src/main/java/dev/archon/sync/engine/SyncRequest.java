package dev.archon.sync.engine;

/**
 * What the user asked for.
 *
 * @param force       load even if the target would lose rows (the data-loss guard); never set by the scheduler
 * @param backup      dump the target's synced tables before touching it
 * @param dryRun      validate and plan only
 * @param requestedBy who asked (client address, "scheduler", …), for the history
 */
public record SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger,
        String requestedBy) {

    public SyncRequest(Direction direction, boolean force, boolean backup, boolean dryRun, Trigger trigger) {
        this(direction, force, backup, dryRun, trigger, null);
    }
}
