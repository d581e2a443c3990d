package dev.archon.sync.schedule;

import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.Trigger;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.Redactor;
import dev.archon.sync.service.SyncService;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The seed's "Phase 9": a local → remote backup every night (ARCHON_SYNC_SCHEDULE_CRON, Quartz
 * syntax, default 02:00, read in ARCHON_SYNC_SCHEDULE_TZ), when ARCHON_SYNC_SCHEDULE_ENABLED=true.
 * It never forces: if the cloud has rows the local database lacks, the data-loss guard refuses and
 * the history says why. Every attempt leaves a history row: the sync's own (completed, refused,
 * failed, cancelled), or one saying it was skipped because another sync held the databases (named),
 * or that it could not start.
 */
@ApplicationScoped
public class NightlyBackup {
    public static final String IDENTITY = "nightly-backup";
    private static final Logger LOG = Logger.getLogger(NightlyBackup.class);
    private final SyncService syncs;
    private final SyncHistory history;

    public NightlyBackup(SyncService syncs, SyncHistory history) {
        this.syncs = syncs;
        this.history = history;
    }

    @Scheduled(identity = IDENTITY, cron = "${archon.sync.schedule.cron:0 0 2 * * ?}",
            timeZone = "${archon.sync.schedule.tz:<<default timezone>>}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    void onSchedule() {
        run();
    }

    /**
     * Starts the scheduled sync.
     *
     * @return the sync (running, or already refused); empty when it was skipped or could not start
     *         (the history has a row saying which)
     */
    public Optional<SyncJob> run() {
        SyncJob attempt = new SyncJob(SyncRequest.sync(Direction.LOCAL_TO_REMOTE, Trigger.SCHEDULED).backup(true).requestedBy("scheduler").build());
        try {
            SyncJob job = syncs.start(attempt);
            LOG.infof("nightly backup %s: %s", job.id(), job.status().wire());
            return Optional.of(job);
        } catch (SyncConflictException e) {
            String message = skippedBecause(e);
            LOG.warnf("nightly backup %s skipped: %s", attempt.id(), message);
            history.recordNotStarted(attempt, "skipped", message, null);
            return Optional.empty();
        } catch (RuntimeException e) {
            String reason = Redactor.redact(e.getMessage());
            LOG.errorf("nightly backup %s could not start: %s", attempt.id(), reason);
            history.recordNotStarted(attempt, "failed", "The nightly backup could not start", reason);
            return Optional.empty();
        }
    }

    /** Names the sync that held the databases, when it is known (here or in the shared history). */
    static String skippedBecause(SyncConflictException e) {
        return e.runningSyncId() != null
                ? "Skipped: sync " + e.runningSyncId() + " held the databases"
                : "Skipped: another sync held the databases (" + e.getMessage() + ")";
    }

    /** Off unless ARCHON_SYNC_SCHEDULE_ENABLED=true. */
    @Singleton
    public static class Disabled implements Scheduled.SkipPredicate {
        private final SyncConfig config;

        public Disabled(SyncConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.schedule().enabled();
        }
    }
}
