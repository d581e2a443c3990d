package dev.archon.sync.service;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.plan.LastSync;
import dev.archon.sync.engine.session.SyncLockKey;
import dev.archon.sync.history.HistoryEntry;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * At start-up: create/upgrade the history table, mark syncs that a dead instance left 'running' as
 * failed, and remove the work files and unfinished backup files they left behind. That needs the
 * advisory lock free on the local database; a killed instance's sessions can hold it a while longer
 * (a backend busy in a statement notices its client is gone only when the statement ends), and the local
 * database may be down. So until it has once succeeded, recovery tries again every
 * {@link #RETRY} in the background; the service starts either way (readiness says what is reachable).
 */
@Singleton
public class StartupRecovery {
    private static final Logger LOG = Logger.getLogger(StartupRecovery.class);
    static final Duration RETRY = Duration.ofSeconds(3);

    /** This process's start: rows started since are its own syncs, never another's leftovers. */
    private final Instant processStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    private ScheduledExecutorService retries;

    public void onStart(@Observes StartupEvent event, SyncConfig config, SyncHistory history) {
        if (config.local().url().isEmpty()) {
            LOG.warn("ARCHON_SYNC_LOCAL_URL is not set: no history and no syncs until it is");
            return;
        }
        try {
            history.open(PgUri.parse(config.local().url().get()));
        } catch (Exception e) {
            LOG.errorf("sync history unavailable at start-up: %s", Redactor.redact(e.getMessage()));
        }
        if (!recover(config, history)) {
            retryUntilRecovered(config, history);
        }
    }

    /** One attempt; true when done (also when there was nothing to do). */
    boolean recover(SyncConfig config, SyncHistory history) {
        try {
            Optional<List<String>> interrupted = history.failInterrupted(SyncLockKey.KEY, processStart,
                    () -> removeLeftovers(config)); // under the lock: no sync can start meanwhile and lose its files
            interrupted.filter(ids -> !ids.isEmpty()).ifPresent(ids -> {
                LOG.warnf("marked %d sync(s) left running by a stopped instance as failed: %s", ids.size(), ids);
                ids.forEach(id -> askTheTarget(config, history, id));
            });
            if (interrupted.isEmpty()) {
                LOG.infof("a sync holds the databases (advisory lock %d): recovery of interrupted syncs waits for it", SyncLockKey.KEY);
            }
            return interrupted.isPresent();
        } catch (Exception e) {
            LOG.warnf("recovery of interrupted syncs could not run yet: %s", Redactor.redact(e.getMessage()));
            return false;
        }
    }

    /**
     * Killed after COMMIT, a sync did complete: its target records it (in the same transaction). A sync
     * into a target keeping no record (dry run, restore, nothing to write, or unreachable now) keeps the
     * generic "all of it or none of it".
     */
    private static void askTheTarget(SyncConfig config, SyncHistory history, String id) {
        try {
            Optional<HistoryEntry> entry = history.find(id);
            if (entry.isEmpty() || entry.get().dryRun() || !"sync".equals(java.util.Objects.requireNonNullElse(entry.get().operation(), "sync"))) {
                return;
            }
            Optional<String> url = Direction.parse(entry.get().direction()) == Direction.LOCAL_TO_REMOTE ? config.remote().url() : config.local().url();
            if (url.isEmpty()) {
                return;
            }
            try (Connection target = PgUri.parse(url.get()).connect("archon-db-sync recovery")) {
                Optional<Boolean> committed = LastSync.committed(target, id);
                if (committed.isPresent()) {
                    history.interruptedOutcome(id, committed.get());
                    LOG.infof("interrupted sync %s: the target says it %s", id, committed.get() ? "committed" : "never committed");
                }
            }
        } catch (Exception e) {
            LOG.warnf("interrupted sync %s: could not ask its target whether it committed: %s", id, Redactor.redact(e.getMessage()));
        }
    }

    private synchronized void retryUntilRecovered(SyncConfig config, SyncHistory history) {
        retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "startup-recovery");
            t.setDaemon(true);
            return t;
        });
        retries.scheduleWithFixedDelay(() -> {
            if (recover(config, history)) {
                retries.shutdown();
            }
        }, RETRY.toMillis(), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    synchronized void stop() {
        if (retries != null) {
            retries.shutdownNow();
        }
    }

    private static void removeLeftovers(SyncConfig config) {
        removeWorkFiles(Path.of(config.workDir()));
        List<String> partials = new BackupStore(Path.of(config.backupDir()), config.backupKeep()).removePartials();
        if (!partials.isEmpty()) {
            LOG.infof("removed %d unfinished backup file(s) of an interrupted sync: %s", partials.size(), partials);
        }
    }

    /** Only called when no sync holds the advisory lock anywhere: every sync-* directory is stale. */
    static void removeWorkFiles(Path workDir) {
        if (!Files.isDirectory(workDir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(workDir)) {
            for (Path dir : dirs.filter(p -> p.getFileName().toString().startsWith("sync-")).toList()) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                LOG.infof("removed stale work files %s", dir);
            }
        } catch (IOException e) {
            LOG.warnf("could not clean %s: %s", workDir, e.getMessage());
        }
    }
}
