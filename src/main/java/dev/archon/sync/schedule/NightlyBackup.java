package dev.archon.sync.schedule;

import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.Trigger;
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
 * syntax, default 02:00), when ARCHON_SYNC_SCHEDULE_ENABLED=true. It never forces: if the cloud has
 * rows the local database lacks, the data-loss guard refuses and the history says why. It shares the
 * one-sync-at-a-time rule with manual syncs (a running sync makes it skip, with a log line).
 */
@ApplicationScoped
public class NightlyBackup {
    private static final Logger LOG = Logger.getLogger(NightlyBackup.class);
    private final SyncService syncs;

    public NightlyBackup(SyncService syncs) {
        this.syncs = syncs;
    }

    @Scheduled(identity = "nightly-backup", cron = "${archon.sync.schedule.cron:0 0 2 * * ?}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    void onSchedule() {
        run();
    }

    /** Starts the scheduled sync; empty when another sync holds the databases. */
    public Optional<SyncJob> run() {
        try {
            SyncJob job = syncs.start(new SyncRequest(Direction.LOCAL_TO_REMOTE, false, true, false, Trigger.SCHEDULED, "scheduler"));
            LOG.infof("nightly backup %s: %s", job.id(), job.status().wire());
            return Optional.of(job);
        } catch (SyncConflictException e) {
            LOG.warnf("nightly backup skipped: %s", e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.errorf("nightly backup could not start: %s", Redactor.redact(e.getMessage()));
            return Optional.empty();
        }
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
