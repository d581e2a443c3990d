package dev.archon.sync.service;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncStatus;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.Redactor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The service's Prometheus metrics (at /q/metrics), observed from outside the engine: every job the
 * service starts is followed to its final event. Dry runs are not counted (nothing moved).
 *
 * <pre>
 * archon_sync_syncs_total{operation,direction,trigger,status}       finished syncs and restores
 * archon_sync_duration_seconds{operation,direction,status}          start to final status
 * archon_sync_phase_duration_seconds{operation,direction,phase}     per phase
 * archon_sync_rows_total / archon_sync_bytes_total{operation,direction,status}   rows and bytes moved
 * archon_sync_running                                               syncs running in this instance
 * archon_sync_last_success_timestamp_seconds{direction}             newest completed sync (history-backed)
 * archon_sync_last_success_age_seconds{direction}                   now minus that
 * archon_sync_backups{database} / archon_sync_backup_size_bytes{database}   backups kept, their bytes
 * archon_sync_database_reachable{database}                          1 / 0 from the background check
 * </pre>
 */
@ApplicationScoped
public class SyncMetrics {
    private static final Logger LOG = Logger.getLogger(SyncMetrics.class);
    private static final List<String> DATABASES = List.of("local", "remote");

    private final MeterRegistry registry;
    private final SyncHistory history;
    private final BackupStore backups;
    private final AtomicInteger running = new AtomicInteger();
    private final Map<String, AtomicReference<Instant>> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, long[]> backupTotals = new ConcurrentHashMap<>();
    private final AtomicBoolean seededFromHistory = new AtomicBoolean();

    public SyncMetrics(MeterRegistry registry, SyncHistory history, SyncConfig config, DatabaseReachability databases) {
        this.registry = registry;
        this.history = history;
        this.backups = new BackupStore(Path.of(config.backupDir()), config.backupKeep());
        forget("archon.sync.running");
        Gauge.builder("archon.sync.running", running, AtomicInteger::get)
                .description("Syncs and restores running in this instance").register(registry);
        for (String db : DATABASES) {
            backupTotals.put(db, new long[2]);
            forget("archon.sync.backups", "database", db);
            forget("archon.sync.backup.size", "database", db);
            forget("archon.sync.database.reachable", "database", db);
            Gauge.builder("archon.sync.backups", backupTotals, m -> m.get(db)[0]).tag("database", db)
                    .description("Pre-sync backups kept").register(registry);
            Gauge.builder("archon.sync.backup.size", backupTotals, m -> m.get(db)[1]).tag("database", db).baseUnit("bytes")
                    .description("Bytes of the pre-sync backups kept").register(registry);
            Gauge.builder("archon.sync.database.reachable", databases,
                    d -> d.state(db) == DatabaseReachability.State.REACHABLE ? 1 : 0).tag("database", db)
                    .description("1 when the database answered the last background check").register(registry);
        }
    }

    /**
     * A gauge reads the object it was registered with, and a registry ignores a second registration of the
     * same id: one left by an earlier instance of this bean in the same registry (the tests restart the app
     * in one JVM) would keep reading that instance's state. So it is removed before this one registers.
     */
    private void forget(String name, String... tags) {
        registry.find(name).tags(tags).meters().forEach(registry::remove);
    }

    /** Follows one job to its end. Called by the service for every job it starts. */
    public void track(SyncJob job) {
        if (job.request().dryRun()) {
            return;
        }
        running.incrementAndGet();
        AtomicBoolean done = new AtomicBoolean();
        job.subscribe(ev -> {
            if (ev.status().isFinal() && done.compareAndSet(false, true)) {
                running.decrementAndGet();
                finished(job, ev);
            }
        });
    }

    private void finished(SyncJob job, ProgressEvent ev) {
        String operation = ev.operation();
        String direction = ev.direction().wire();
        String status = ev.status().wire();
        Counter.builder("archon.sync.syncs").description("Finished syncs and restores")
                .tags("operation", operation, "direction", direction, "trigger", ev.trigger().wire(), "status", status)
                .register(registry).increment();
        Timer.builder("archon.sync.duration").description("Time from start to the final status")
                .tags("operation", operation, "direction", direction, "status", status)
                .register(registry).record(Duration.ofMillis(Math.round(ev.elapsedSeconds() * 1000)));
        job.report().phaseSeconds().forEach((phase, seconds) -> Timer.builder("archon.sync.phase.duration")
                .description("Time spent per phase").tags("operation", operation, "direction", direction, "phase", phase)
                .register(registry).record(Duration.ofMillis(Math.round(seconds * 1000))));
        Counter.builder("archon.sync.rows").description("Rows moved into a target (rolled back unless status=completed)")
                .tags("operation", operation, "direction", direction, "status", status).register(registry)
                .increment(ev.rowsSynced());
        Counter.builder("archon.sync.bytes").baseUnit("bytes").description("Bytes of row data moved")
                .tags("operation", operation, "direction", direction, "status", status).register(registry)
                .increment(ev.bytesTransferred());
        if (ev.status() == SyncStatus.COMPLETED && "sync".equals(operation)) {
            succeeded(direction, ev.finishedAt() == null ? Instant.now() : ev.finishedAt());
        }
        refreshBackups();
    }

    /** Registers the direction's gauges on its first success, so "never" shows as absent, not as 1970. */
    private void succeeded(String direction, Instant at) {
        lastSuccess.computeIfAbsent(direction, d -> {
            AtomicReference<Instant> ref = new AtomicReference<>(at);
            forget("archon.sync.last.success.timestamp", "direction", d);
            forget("archon.sync.last.success.age", "direction", d);
            Gauge.builder("archon.sync.last.success.timestamp", ref, r -> r.get().toEpochMilli() / 1000.0).baseUnit("seconds")
                    .tag("direction", d).description("When the newest completed sync in this direction finished")
                    .register(registry);
            Gauge.builder("archon.sync.last.success.age", ref,
                    r -> Duration.between(r.get(), Instant.now()).toMillis() / 1000.0).baseUnit("seconds")
                    .tag("direction", d).description("Seconds since the newest completed sync in this direction")
                    .register(registry);
            return ref;
        }).accumulateAndGet(at, (old, now) -> now.isAfter(old) ? now : old);
    }

    /** Backups on disk, and (once) the last successes the history knows from before this process started. */
    @Scheduled(identity = "sync-metrics-refresh", every = "60s", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        refreshBackups();
        seedFromHistory();
    }

    /** Fills the last-success gauges from the history table (after a restart); retried until it works. */
    public void seedFromHistory() {
        if (seededFromHistory.get() || !history.available()) {
            return;
        }
        try {
            history.lastSuccesses().forEach(this::succeeded);
            seededFromHistory.set(true);
        } catch (Exception e) {
            LOG.debugf("last successful syncs not read from the history yet: %s", Redactor.redact(e.getMessage()));
        }
    }

    void refreshBackups() {
        try {
            List<BackupManifest> all = backups.list();
            for (String db : DATABASES) {
                long[] totals = {0, 0};
                all.stream().filter(b -> db.equals(b.database())).forEach(b -> {
                    totals[0]++;
                    totals[1] += b.sizeBytes();
                });
                backupTotals.put(db, totals);
            }
        } catch (IOException e) {
            LOG.debugf("backups not counted: %s", e.getMessage());
        }
    }

}
