package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.engine.session.SourceSnapshot;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.engine.session.WorkDir;

/**
 * A validated sync, not yet started: the plan, and what preflight opened for it — the source snapshot (none
 * for a restore), the target session holding the advisory locks, the work directory. Ownership passes to
 * the run when it is launched; closing it instead (a dry run, a launch that never happens) releases all.
 */
public final class PreparedSync implements AutoCloseable {
    final SyncContext ctx;
    final SourceSnapshot source;
    final TargetTransaction target;
    final WorkDir workDir;
    /** The backup a restore loads; null for a sync. */
    final BackupManifest backup;

    public PreparedSync(SyncContext ctx, SourceSnapshot source, TargetTransaction target, WorkDir workDir, BackupManifest backup) {
        this.ctx = ctx;
        this.source = source;
        this.target = target;
        this.workDir = workDir;
        this.backup = backup;
    }

    public SyncPlan plan() {
        return ctx.plan;
    }

    public SyncJob job() {
        return ctx.job;
    }

    boolean isRestore() {
        return backup != null;
    }

    @Override
    public void close() {
        closeAll(target, source, workDir);
    }

    /** Closes what is there, in the order given (the target first: its rollback settles the target). */
    public static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // each close is best effort and never throws on its own (see the resources)
                }
            }
        }
    }
}
