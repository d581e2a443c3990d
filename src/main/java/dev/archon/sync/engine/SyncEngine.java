package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.engine.backup.ArchiveRows;
import dev.archon.sync.engine.backup.TableFileRows;
import dev.archon.sync.engine.backup.TargetBackup;
import dev.archon.sync.engine.load.IndexRebuild;
import dev.archon.sync.engine.load.TargetLoad;
import dev.archon.sync.engine.load.Verification;
import dev.archon.sync.engine.plan.EncryptedSettings;
import dev.archon.sync.engine.plan.Preflight;
import dev.archon.sync.engine.plan.RestoreScope;
import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.engine.schema.FreshTargetSchema;
import dev.archon.sync.engine.schema.SmokeTest;
import dev.archon.sync.engine.session.SourceSnapshot;
import dev.archon.sync.engine.session.StallWatchdog;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.engine.session.WorkDir;
import dev.archon.sync.pg.CatalogModel.Index;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;

/**
 * Runs syncs and restores in two calls: {@link #validate} (synchronous, so the caller can answer 202, 409,
 * 422 or 503 at once; it never starts anything) and {@link #launch} (the rest, on a worker thread). The run
 * reads top-down in {@link #replaceTargetRows}: back up, read the schema, load, rebuild the indexes, verify,
 * COMMIT — inside one try-with-resources that owns the source snapshot and the target transaction, so
 * whatever ends it before COMMIT (an error, a cancel, a lost connection) rolls the target back before the
 * job reports its final status.
 *
 * The steps run one after another on one worker thread; cancellation is a flag plus interrupters
 * ({@link CancelSignal}) and progress is pushed to the {@link SyncJob}, so a reactive chain would add
 * nothing here (Mutiny earns its place in the SSE stream instead).
 */
public final class SyncEngine {
    private static final Logger LOG = Logger.getLogger(SyncEngine.class);

    private final SyncSettings settings;
    private final Executor executor;

    public SyncEngine(SyncSettings settings, Executor executor) {
        this.settings = settings;
        this.executor = executor;
    }

    public SyncSettings settings() {
        return settings;
    }

    /** Validates then launches (see {@link #validate} and {@link #launch}): for callers with no use for the steps between. */
    public void start(SyncJob job) {
        Validation v = validate(job);
        if (v instanceof Validation.Conflict c) {
            throw new SyncConflictException(c.message(), null);
        }
        if (v instanceof Validation.Ready ready) {
            launch(ready.sync());
        }
    }

    /**
     * The validating phase: a plan with everything the run needs held open ({@link Validation.Ready}), or why
     * not. Every outcome but Ready is final and already on the job: refused, cancelled, or failed (a conflict
     * too, so that nothing is left running). Never launches anything.
     */
    public Validation validate(SyncJob job) {
        try {
            PreparedSync prepared;
            if (job.request().isRestore()) {
                BackupManifest backup = settings.backups().find(job.request().restoreBackupId()).orElseThrow(() ->
                        new SyncRefusedException(List.of(new Refusal("unknown_backup", "no backup '" + job.request().restoreBackupId()
                                + "' in " + settings.backups().directory().toAbsolutePath()))));
                RestoreScope.check(backup, settings.tables()); // Archon's tables only, whatever the manifest says
                job.enterPhase(Phase.VALIDATING, "Validating the restore of " + backup.id() + " into "
                        + settings.target(job.request().direction()));
                prepared = Preflight.restore(job, settings, backup);
            } else {
                job.enterPhase(Phase.VALIDATING, "Validating " + settings.source(job.request().direction()) + " → "
                        + settings.target(job.request().direction()));
                prepared = Preflight.sync(job, settings);
            }
            job.planned(prepared.plan());
            tellEncryptedSettings(prepared);
            return new Validation.Ready(prepared);
        } catch (SyncRefusedException e) {
            LOG.infof("sync %s refused: %s", job.id(), Redactor.redact(e.getMessage()));
            job.refused(e.refusals());
            return new Validation.Refused(e.refusals());
        } catch (SyncConflictException e) {
            job.failed(e.getMessage());
            return new Validation.Conflict(e.getMessage());
        } catch (SyncCancelledException e) {
            job.cancelled();
            return new Validation.Cancelled();
        } catch (Exception e) {
            if (job.cancelSignal().isCancelled()) { // the cancel interrupted a query: that is the truth
                job.cancelled();
                return new Validation.Cancelled();
            }
            String cause = "failed while validating: " + describe(e);
            job.failed(cause);
            LOG.warnf("sync %s %s", job.id(), cause);
            return new Validation.Failed(cause, causedByDatabase(e));
        }
    }

    /** Issue 19: the plan says what the sync does with Archon's encrypted settings; a failure here releases what preflight opened. */
    private static void tellEncryptedSettings(PreparedSync prepared) throws java.sql.SQLException {
        try {
            EncryptedSettings.tell(prepared.ctx);
        } catch (java.sql.SQLException | RuntimeException e) {
            prepared.close();
            throw e;
        }
    }

    /**
     * Starts a validated sync on a worker thread, which from then on owns what preflight opened. A dry run
     * ends here instead: it releases everything and reports its plan.
     */
    public void launch(PreparedSync prepared) {
        if (prepared.job().request().dryRun()) {
            prepared.close();
            prepared.job().planOnly();
            return;
        }
        try {
            executor.execute(() -> run(prepared));
        } catch (RejectedExecutionException e) {
            prepared.close();
            prepared.job().failed("the service is shutting down: " + describe(e));
        }
    }

    private void run(PreparedSync prepared) {
        SyncContext ctx = prepared.ctx;
        Throwable failure = null;
        Set<PgUri> broken = Set.of();
        // the watchdog is closed last: a server that stops answering while the others close still ends the sync
        try (StallWatchdog watchdog = StallWatchdog.watch(ctx); WorkDir work = prepared.workDir; SourceSnapshot source = prepared.source;
                TargetTransaction target = prepared.target) {
            try {
                replaceTargetRows(ctx, source, target, rowsFor(prepared, source));
            } catch (Throwable t) {
                if (ctx.cancel().abortReason() == null && !ctx.cancel().isCancelled()) { // those say what happened themselves
                    broken = StallWatchdog.serversThatLostTheSync(ctx); // before the owners close them: whose connection failed
                }
                throw t;
            }
        } catch (Throwable t) {
            failure = t;
        }
        // closed by now: rolled back unless committed, so the target is settled before anyone is told
        report(ctx, prepared.target.committed(), failure, broken);
    }

    /** One sentence: back up, read the schema, load, rebuild the indexes, verify, COMMIT. */
    private static void replaceTargetRows(SyncContext ctx, SourceSnapshot source, TargetTransaction target,
            TargetLoad.RowSource rows) throws Exception {
        boolean restore = ctx.plan.restore();
        for (SyncPlan.TablePlan t : ctx.plan.tables()) {
            if (!t.reload()) { // done already: identical on both sides
                ctx.job.tableDone(new SyncReport.TableResult(t.table().toString(), t.sourceRows(), t.targetRowsBefore(), 0, 0, 0,
                        SyncPlan.UNCHANGED, false, t.why()));
            }
        }
        if (ctx.plan.reloaded().isEmpty()) {
            // every table is identical on both sides: nothing is backed up or loaded. When the last sync's record held
            // (nothing was read) the target transaction is never begun (no BEGIN, no lock, no transaction id, no WAL);
            // else only the record of what was read is written, so that the next quiet night reads nothing
            if (ctx.plan.readAny() && !restore) {
                rememberWhatWasRead(ctx, target);
            }
            return;
        }
        BackupManifest written = null;
        if (ctx.job.request().backup() && !ctx.plan.freshTarget()) {
            written = step(ctx, Phase.BACKING_UP, restore ? "Backing up the target before the restore" : "Backing up the target",
                    () -> TargetBackup.take(ctx));
        }
        String createdSchema = restore ? null : step(ctx, Phase.EXPORTING, "Reading the source snapshot",
                () -> ctx.plan.createdNames().isEmpty() ? null : FreshTargetSchema.export(ctx));
        List<Index> takenDown = step(ctx, Phase.IMPORTING, restore ? "Restoring the backup in one transaction"
                : "Loading the target in one transaction", () -> TargetLoad.run(ctx, target, createdSchema, rows));
        step(ctx, Phase.INDEXING, "Rebuilding indexes over the loaded rows", () -> IndexRebuild.rebuild(ctx, takenDown));
        step(ctx, Phase.VERIFYING, "Verifying before COMMIT", () -> Verification.beforeCommit(ctx));
        target.commit(ctx.cancel());
        if (written != null) {
            keepRestorePoints(ctx, written);
        }
        checkAfterCommit(ctx);
    }

    /** A record that cannot be written costs the next sync a read, never this one its result: a warning. */
    private static void rememberWhatWasRead(SyncContext ctx, TargetTransaction target) {
        try {
            TargetLoad.rememberWhatWasRead(ctx, target);
            target.commit(ctx.cancel());
        } catch (Exception e) {
            ctx.job.warn("the sync's record of the tables it read could not be updated on the target (" + e.getMessage()
                    + "): the next sync reads them again");
        }
    }

    /**
     * Retention, only now that the sync committed: its backup becomes a completed sync's restore point and the
     * older ones beyond the limit go (never the one just written, nor the one a restore reads). A sync that
     * fails or is cancelled never prunes anything.
     */
    private static void keepRestorePoints(SyncContext ctx, BackupManifest written) {
        BackupStore store = ctx.settings.backups();
        String restored = ctx.job.request().isRestore() ? ctx.job.request().restoreBackupId() : null;
        try (AutoCloseable keep = restored == null ? () -> { } : store.protect(restored)) {
            store.markCompleted(written.id());
            List<String> pruned = store.prune(written.database(), written.endpoint(), written.id());
            if (!pruned.isEmpty()) {
                LOG.infof("sync %s: removed %d older backup(s) of the %s database: %s", ctx.job.id(), pruned.size(),
                        written.database(), String.join(", ", pruned));
            }
        } catch (Exception e) {
            ctx.job.warn("after COMMIT: older backups were not pruned (" + describe(e) + "); they stay in "
                    + store.directory());
        }
    }

    /** The rows come from the source snapshot, released as soon as the last one is read, or from the backup. */
    private static TargetLoad.RowSource rowsFor(PreparedSync prepared, SourceSnapshot source) {
        if (prepared.isRestore()) {
            Path rows = prepared.ctx.settings.backups().rowsOf(prepared.backup);
            return prepared.backup.isTableFiles() ? TableFileRows.of(prepared.backup, rows) : ArchiveRows.of(rows, prepared.plan().schemaClient());
        }
        return c -> {
            TargetLoad.copyTables(c);
            source.release();
        };
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** A phase: a cancel that came in between steps stops it before it starts. */
    private static <T> T step(SyncContext ctx, Phase phase, String description, Work<T> work) throws Exception {
        ctx.cancel().throwIfCancelled();
        ctx.job.enterPhase(phase, description);
        return work.run();
    }

    private static void step(SyncContext ctx, Phase phase, String description, Action action) throws Exception {
        step(ctx, phase, description, () -> {
            action.run();
            return null;
        });
    }

    private static void checkAfterCommit(SyncContext ctx) {
        try {
            Verification.afterCommit(ctx);
        } catch (SQLException e) {
            ctx.job.warn("the check after COMMIT could not run: " + e.getMessage());
        }
        if (!ctx.plan.createdNames().isEmpty() || !ctx.schemaChanges.isEmpty()) {
            try {
                ctx.job.smokeTested(SmokeTest.run(ctx)); // issue 12: does the restored Archon answer a search?
            } catch (SQLException e) {
                ctx.job.warn("the smoke test after COMMIT could not run: " + e.getMessage());
            }
        }
    }

    private static void report(SyncContext ctx, boolean committed, Throwable failure, Set<PgUri> broken) {
        SyncJob job = ctx.job;
        if (failure == null || committed) {
            if (failure != null) {
                job.warn("after COMMIT: " + describe(failure));
            }
            job.completed(completion(ctx.plan, job.request()));
            LOG.infof("sync %s completed", job.id());
        } else if (ctx.cancel().abortReason() != null) { // the stall watchdog stopped it: its reason is the truth
            String reason = "failed while " + job.phase().wire() + describeTable(job) + ": " + ctx.cancel().abortReason();
            job.failed(reason);
            LOG.warnf("sync %s %s", job.id(), Redactor.redact(reason));
        } else if (ctx.cancel().isCancelled()) {
            job.cancelled();
            LOG.infof("sync %s cancelled in %s", job.id(), job.phase().wire());
        } else {
            String side = broken.size() != 1 ? null : broken.contains(ctx.target) ? "target" : "source";
            String reason = "failed while " + job.phase().wire() + describeTable(job) + ": " + FailureMessage.of(failure, side);
            job.failed(reason);
            LOG.warnf("sync %s %s", job.id(), Redactor.redact(reason));
        }
    }

    private static String completion(SyncPlan plan, SyncRequest request) {
        int reloaded = plan.reloaded().size();
        int unchanged = plan.tables().size() - reloaded;
        if (request.isRestore()) {
            return String.format("Restored %,d rows in %d tables from %s into %s", plan.totalRows(), reloaded,
                    request.restoreBackupId(), request.direction().targetName());
        }
        if (reloaded == 0 && plan.readAny()) {
            return String.format("Nothing to sync %s: all %d tables are identical on both sides (fingerprints); no Archon table "
                    + "was written — only the sync's own record of the tables it read (archon_sync_guard)", request.direction().wire(),
                    unchanged);
        }
        if (reloaded == 0) {
            return String.format("Nothing to sync %s: all %d tables are identical on both sides (fingerprints); "
                    + "no write transaction was opened on the target, nothing was written", request.direction().wire(), unchanged);
        }
        return String.format("Synced %,d rows in %d %s %s — %s", plan.totalRows(), reloaded, reloaded == 1 ? "table" : "tables",
                request.direction().wire(), plan.decisionSummary("reloaded", "left alone"));
    }

    private static String describeTable(SyncJob job) {
        String table = job.snapshot().currentTable();
        return job.phase() == Phase.IMPORTING && table != null ? " " + table : "";
    }

    /** A database error anywhere in the chain (lost connection, failed catalog query): worth trying again later. */
    private static boolean causedByDatabase(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause() == cur ? null : cur.getCause()) {
            if (cur instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /** In the user's words, never a Java class name (see {@link FailureMessage}). */
    static String describe(Throwable t) {
        return FailureMessage.of(t);
    }
}
