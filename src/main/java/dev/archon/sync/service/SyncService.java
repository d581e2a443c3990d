package dev.archon.sync.service;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncEngine;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.SyncSettings;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.TableName;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The service's one way to start, find and cancel syncs. One sync at a time in this process (a quick
 * 409 without touching the databases); the advisory locks make it one at a time across instances.
 */
@ApplicationScoped
public class SyncService {
    private static final int KEEP_FINISHED_JOBS = 200;

    private final SyncConfig config;
    private final SyncHistory history;
    private final AtomicReference<SyncJob> running = new AtomicReference<>();
    private final Map<String, SyncJob> jobs = new LinkedHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "sync-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });
    private volatile SyncEngine engine;
    @jakarta.inject.Inject
    SyncMetrics metrics;

    public SyncService(SyncConfig config, SyncHistory history) {
        this.config = config;
        this.history = history;
    }

    /** Built on first use: the URLs are checked when a sync needs them, not at start-up. */
    SyncEngine engine() {
        SyncEngine e = engine;
        if (e == null) {
            synchronized (this) {
                if (engine == null) {
                    engine = new SyncEngine(settings(), SyncLogContext.propagating(workers));
                }
                e = engine;
            }
        }
        return e;
    }

    /** The settings the engine runs with (parsed once; client tools probed once). */
    public SyncSettings currentSettings() {
        return engine().settings();
    }

    SyncSettings settings() {
        PgUri local = PgUri.parse(config.local().url().orElseThrow(() ->
                new IllegalStateException("ARCHON_SYNC_LOCAL_URL is not set (the local Supabase database, a libpq URI)")));
        PgUri remote = PgUri.parse(config.remote().url().orElseThrow(() ->
                new IllegalStateException("ARCHON_SYNC_REMOTE_URL is not set (the Supabase Cloud database, a libpq URI)")));
        return new SyncSettings(local, remote, config.tables().stream().map(TableName::parse).toList(),
                Path.of(config.workDir()), config.load().maintenanceWorkMem(), config.load().lockTimeout(),
                config.load().rebuildIndexes(), PgClientTools.discover(config.pgBin()),
                new BackupStore(Path.of(config.backupDir()), config.backupKeep()), SyncSettings.FreeSpace.FILESYSTEM,
                new SyncSettings.Benchmark(config.benchmark().skipVerification(), config.benchmark().skipProgress()));
    }

    /**
     * Validates synchronously; returns the job (running, completed for a dry run, or refused).
     *
     * @throws SyncConflictException when a sync is already running
     */
    public SyncJob start(SyncRequest request) {
        SyncEngine e = engine();
        SyncJob job = new SyncJob(request);
        if (!request.dryRun() && !running.compareAndSet(null, job)) {
            SyncJob other = running.get();
            throw new SyncConflictException("sync " + (other == null ? "" : other.id() + " ") + "is running; wait for it or cancel it",
                    other == null ? null : other.id());
        }
        remember(job);
        history.track(job);
        metrics.track(job);
        try {
            if (!request.dryRun()) {
                job.subscribe(ev -> {
                    if (ev.status().isFinal()) {
                        running.compareAndSet(job, null);
                    }
                });
            }
            try (SyncLogContext ignored = SyncLogContext.of(job)) { // sync_id on every log line of this sync
                e.start(job);
            }
        } catch (SyncConflictException conflict) {
            // another instance holds the databases: name its sync if the history knows it
            throw new SyncConflictException(conflict.getMessage(), history.runningSyncId(job.id()).orElse(null));
        } finally {
            if (job.status().isFinal()) {
                running.compareAndSet(job, null);
            }
        }
        return job;
    }

    /**
     * @return empty when there is no such sync in this instance; false when it can no longer be
     *         cancelled (finished, or its COMMIT has begun)
     */
    public Optional<Boolean> cancel(String id) {
        return find(id).map(j -> !j.status().isFinal() && j.cancelSignal().cancel());
    }

    public Optional<SyncJob> find(String id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    public Optional<SyncJob> running() {
        return Optional.ofNullable(running.get());
    }

    private void remember(SyncJob job) {
        synchronized (jobs) {
            jobs.put(job.id(), job);
            if (jobs.size() > KEEP_FINISHED_JOBS) {
                jobs.entrySet().stream().filter(en -> en.getValue().status().isFinal()).findFirst()
                        .ifPresent(en -> jobs.remove(en.getKey()));
            }
        }
    }

    @PreDestroy
    void shutdown() {
        running().ifPresent(j -> j.cancelSignal().cancel());
        workers.shutdownNow();
    }
}
