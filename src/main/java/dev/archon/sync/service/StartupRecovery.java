package dev.archon.sync.service;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.SyncLockKey;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * At start-up: create/upgrade the history table, mark syncs that a dead instance left 'running' as
 * failed, and remove the work files they left behind. A local database that is down does not stop
 * the service from starting (readiness says so); history then starts with the first sync.
 */
@Singleton
public class StartupRecovery {
    private static final Logger LOG = Logger.getLogger(StartupRecovery.class);

    public void onStart(@Observes StartupEvent event, SyncConfig config, SyncHistory history) {
        if (config.local().url().isEmpty()) {
            LOG.warn("ARCHON_SYNC_LOCAL_URL is not set: no history and no syncs until it is");
            return;
        }
        try {
            history.open(PgUri.parse(config.local().url().get()));
            history.failInterrupted(SyncLockKey.KEY).ifPresent(interrupted -> {
                if (!interrupted.isEmpty()) {
                    LOG.warnf("marked %d sync(s) left running by a stopped instance as failed: %s", interrupted.size(), interrupted);
                }
                removeWorkFiles(Path.of(config.workDir()));
                List<String> partials = new BackupStore(Path.of(config.backupDir()), config.backupKeep()).removePartials();
                if (!partials.isEmpty()) {
                    LOG.infof("removed %d unfinished backup file(s) of an interrupted sync: %s", partials.size(), partials);
                }
            });
        } catch (Exception e) {
            LOG.errorf("sync history unavailable at start-up: %s", Redactor.redact(e.getMessage()));
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
