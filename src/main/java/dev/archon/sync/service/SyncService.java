package dev.archon.sync.service;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncEngine;
import dev.archon.sync.engine.SyncFailedException;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.SyncSettings;
import dev.archon.sync.engine.TableSelection;
import dev.archon.sync.engine.Validation;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.TableName;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
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
    /** Dry runs read every table: one at a time, so a loop of them cannot load the databases (or this service). */
    private final java.util.concurrent.Semaphore dryRuns = new java.util.concurrent.Semaphore(1);
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
        List<String> exclude = config.exclude().orElse(List.of());
        List<TableName> pinned = config.tables().orElse(List.of()).stream().filter(t -> !t.isBlank()).map(TableName::parse).toList();
        return new SyncSettings(local, remote, pinned.isEmpty() ? TableSelection.found(exclude) : TableSelection.pinned(pinned, exclude),
                Path.of(config.workDir()), config.load().maintenanceWorkMem(), config.load().lockTimeout(),
                PgClientTools.discover(config.pgBin()), new BackupStore(Path.of(config.backupDir()), config.backupKeep()),
                SyncSettings.FreeSpace.FILESYSTEM, config.stallTimeout());
    }

    /**
     * Validates synchronously, then launches: returns the job — running, completed (a dry run) or refused
     * (422) — with its history row. A conflict leaves no job and no history row, wherever the other sync
     * runs (a caller that wants a row for it, like the nightly job's "skipped", writes one itself).
     *
     * @throws SyncConflictException when a sync is already running, here (checked first, without touching
     *                               the databases) or in another instance (the advisory locks)
     * @throws SyncFailedException   when validation itself failed (not a refusal); the job and its history
     *                               row say failed, with the cause
     */
    public SyncJob start(SyncRequest request) {
        return start(new SyncJob(request));
    }

    /**
     * Starts a job the caller made, so a caller that is refused with a conflict still knows which
     * attempt it was (the nightly backup records it as skipped).
     *
     * @throws SyncConflictException when a sync is already running
     * @throws DryRunBusyException    when it is a dry run and another dry run is validating
     */
    public SyncJob start(SyncJob job) {
        if (!job.request().dryRun()) {
            return startOne(job);
        }
        if (!dryRuns.tryAcquire()) {
            throw new DryRunBusyException();
        }
        try {
            return startOne(job); // a dry run is done when it returns: validation is all it does
        } finally {
            dryRuns.release();
        }
    }

    private SyncJob startOne(SyncJob job) {
        SyncRequest request = job.request();
        SyncEngine e = engine();
        if (!request.dryRun() && !running.compareAndSet(null, job)) {
            SyncJob other = running.get();
            throw new SyncConflictException("sync " + (other == null ? "" : other.id() + " ") + "is running; wait for it or cancel it",
                    other == null ? null : other.id());
        }
        try {
            if (!request.dryRun()) {
                job.subscribe(ev -> {
                    if (ev.status().isFinal()) {
                        running.compareAndSet(job, null);
                    }
                });
            }
            try (SyncLogContext ignored = SyncLogContext.of(job)) { // sync_id on every log line of this sync
                // known (and cancellable, through /current) while it validates, which can take seconds on a big
                // database; its history row exists from now on, so a service killed while validating leaves one
                remember(job);
                history.track(job);
                Validation validation = e.validate(job);
                if (validation instanceof Validation.Conflict conflict) {
                    // another instance holds the databases: not an attempt of ours (no job, no row); name theirs
                    forget(job);
                    history.forget(job);
                    throw new SyncConflictException(conflict.message(), history.runningSyncId(job.id()).orElse(null));
                }
                metrics.track(job);
                if (validation instanceof Validation.Failed failed) {
                    throw new SyncFailedException(job.id(), failed.cause(), failed.databaseTrouble());
                }
                if (validation instanceof Validation.Ready ready) {
                    e.launch(ready.sync());
                }
                return job;
            }
        } finally {
            if (job.status().isFinal()) {
                running.compareAndSet(job, null);
            }
        }
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

    private void forget(SyncJob job) {
        synchronized (jobs) {
            jobs.remove(job.id());
        }
    }

    @PreDestroy
    void shutdown() {
        running().ifPresent(j -> j.cancelSignal().cancel());
        workers.shutdownNow();
    }
}
