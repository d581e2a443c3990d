package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.Redactor;
import java.nio.file.Path;
import java.util.ArrayList;
import io.smallrye.mutiny.Uni;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Runs a sync: validating synchronously (so the caller can answer 202, 409 or 422 at once), then the
 * other phases as one Mutiny pipeline on worker threads. Each phase is a small unit with one job; the
 * context they share holds the source snapshot and the one target transaction. Whatever ends the
 * pipeline before COMMIT — an error, a cancel, a lost connection — closes the context, which rolls the
 * target back, before the job reports its final status.
 */
public final class SyncEngine {
    private static final Logger LOG = Logger.getLogger(SyncEngine.class);

    /** One step of the pipeline: runs blocking on a worker thread. */
    @FunctionalInterface
    interface StepBody {
        void run(SyncContext ctx) throws Exception;
    }

    record Step(Phase phase, String description, StepBody body) {
    }

    private final SyncSettings settings;
    private final Executor executor;

    public SyncEngine(SyncSettings settings, Executor executor) {
        this.settings = settings;
        this.executor = executor;
    }

    public SyncSettings settings() {
        return settings;
    }

    /**
     * Validates and, unless it is a dry run or refused, starts the rest in the background.
     *
     * @throws SyncConflictException when another sync holds the databases (the job is then abandoned)
     */
    public void start(SyncJob job) {
        SyncContext ctx = new SyncContext(job, settings);
        Path archive = null;
        try {
            if (job.request().isRestore()) {
                BackupManifest backup = settings.backups().find(job.request().restoreBackupId()).orElseThrow(() ->
                        new SyncRefusedException(List.of(new Refusal("unknown_backup", "no backup '" + job.request().restoreBackupId()
                                + "' in " + settings.backups().directory().toAbsolutePath()))));
                job.enterPhase(Phase.VALIDATING, "Validating the restore of " + backup.id() + " into " + ctx.target);
                ctx.plan = Preflight.restore(ctx, backup);
                archive = settings.backups().archive(backup.id());
            } else {
                job.enterPhase(Phase.VALIDATING, "Validating " + ctx.source + " → " + ctx.target);
                ctx.plan = Preflight.run(ctx);
            }
            job.planned(ctx.plan);
        } catch (SyncRefusedException e) {
            ctx.close();
            LOG.infof("sync %s refused: %s", job.id(), Redactor.redact(e.getMessage()));
            job.refused(e.refusals());
            return;
        } catch (SyncConflictException e) {
            ctx.close();
            job.failed(e.getMessage());
            throw e;
        } catch (SyncCancelledException e) {
            ctx.close();
            job.cancelled();
            return;
        } catch (Exception e) {
            ctx.close();
            job.refused(List.of(new Refusal("preflight_error", describe(e))));
            return;
        }
        if (job.request().dryRun()) {
            ctx.close();
            job.planOnly();
            return;
        }
        List<Step> steps = archive == null ? syncSteps(ctx) : restoreSteps(archive, ctx.plan.schemaClient(), ctx);
        pipeline(ctx, steps).runSubscriptionOn(executor).subscribe().with(
                ignored -> finish(ctx, null),
                failure -> finish(ctx, failure));
    }

    private static List<Step> syncSteps(SyncContext ctx) {
        String[] freshDdl = new String[1];
        List<Step> steps = new ArrayList<>();
        if (ctx.job.request().backup() && !ctx.plan.freshTarget()) {
            steps.add(new Step(Phase.BACKING_UP, "Backing up the target", TargetBackup::take));
        }
        steps.add(new Step(Phase.EXPORTING, "Reading the source snapshot", c -> {
            if (c.plan.freshTarget()) {
                freshDdl[0] = FreshTargetSchema.export(c);
            }
        }));
        steps.add(new Step(Phase.IMPORTING, "Loading the target in one transaction", c -> TargetLoad.run(c, freshDdl[0], TargetLoad::copyTables)));
        steps.addAll(finishingSteps());
        return steps;
    }

    /** A restore is the same load with the rows coming from a backup archive. */
    private static List<Step> restoreSteps(Path archive, PgClient reader, SyncContext ctx) {
        List<Step> steps = new ArrayList<>();
        if (ctx.job.request().backup()) {
            // the safety backup's retention must not remove the very backup being restored
            String restoring = ctx.job.request().restoreBackupId();
            steps.add(new Step(Phase.BACKING_UP, "Backing up the target before the restore", c -> {
                try (var keep = c.settings.backups().protect(restoring)) {
                    TargetBackup.take(c);
                }
            }));
        }
        steps.add(new Step(Phase.IMPORTING, "Restoring the backup in one transaction", c -> TargetLoad.run(c, null, ArchiveRows.of(archive, reader))));
        steps.addAll(finishingSteps());
        return steps;
    }

    private static List<Step> finishingSteps() {
        return List.of(
                new Step(Phase.INDEXING, "Rebuilding indexes over the loaded rows", IndexRebuild::rebuild),
                new Step(Phase.VERIFYING, "Verifying before COMMIT", SyncEngine::verifyAndCommit));
    }

    private Uni<Void> pipeline(SyncContext ctx, List<Step> steps) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Step step : steps) {
            chain = chain.chain(() -> run(ctx, step));
        }
        return chain;
    }

    private static Uni<Void> run(SyncContext ctx, Step step) {
        return Uni.createFrom().emitter(emitter -> {
            try {
                ctx.cancel().throwIfCancelled();
                ctx.job.enterPhase(step.phase(), step.description());
                step.body().run(ctx);
                emitter.complete(null);
            } catch (Throwable t) {
                emitter.fail(t);
            }
        });
    }

    private static void verifyAndCommit(SyncContext ctx) throws SQLException {
        if (ctx.settings.benchmark().skipVerification()) {
            ctx.job.warn("verification was skipped (archon.sync.benchmark.skip-verification): benchmark use only");
        } else {
            Verification.beforeCommit(ctx);
        }
        ctx.cancel().beginCommit();
        ctx.targetConnection.commit();
        ctx.committed = true;
        ctx.targetConnection.setAutoCommit(true);
        try {
            Verification.afterCommit(ctx);
        } catch (SQLException e) {
            ctx.job.warn("the check after COMMIT could not run: " + e.getMessage());
        }
    }

    private void finish(SyncContext ctx, Throwable failure) {
        ctx.close(); // rolls back unless committed: the target is settled before anyone is told
        SyncJob job = ctx.job;
        if (failure == null || ctx.committed) {
            if (failure != null) {
                job.warn("after COMMIT: " + describe(failure));
            }
            job.completed(job.request().isRestore()
                    ? String.format("Restored %,d rows in %d tables from %s into %s", ctx.plan.totalRows(), ctx.plan.tables().size(),
                            job.request().restoreBackupId(), job.request().direction().targetName())
                    : String.format("Synced %,d rows in %d tables %s", ctx.plan.totalRows(), ctx.plan.tables().size(),
                            job.request().direction().wire()));
            LOG.infof("sync %s completed", job.id());
        } else if (ctx.cancel().isCancelled()) {
            job.cancelled();
            LOG.infof("sync %s cancelled in %s", job.id(), job.phase().wire());
        } else {
            String reason = "failed while " + job.phase().wire() + describeTable(job) + ": " + describe(failure);
            job.failed(reason);
            LOG.warnf("sync %s %s", job.id(), Redactor.redact(reason));
        }
    }

    private static String describeTable(SyncJob job) {
        String table = job.snapshot().currentTable();
        return job.phase() == Phase.IMPORTING && table != null ? " " + table : "";
    }

    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable cur = t;
        while (cur != null && sb.length() < 2000) {
            String msg = cur.getMessage() == null ? cur.getClass().getSimpleName() : cur.getMessage();
            if (sb.indexOf(msg) < 0) {
                if (sb.length() > 0) {
                    sb.append(" — caused by: ");
                }
                sb.append(msg);
            }
            cur = cur.getCause() == cur ? null : cur.getCause();
        }
        return Redactor.redact(sb.toString());
    }
}
