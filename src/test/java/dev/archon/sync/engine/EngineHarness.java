package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.config.ArchonTables;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.TableName;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;

/** Drives the engine directly against the test clusters' databases "app_local" and "app_remote". */
final class EngineHarness {
    static final String LOCAL_DB = "app_local";
    static final String REMOTE_DB = "app_remote";
    static final List<TableName> TABLES = Arrays.stream(ArchonTables.DEFAULT_CSV.split(",")).map(TableName::parse).toList();
    static final List<String> TABLE_NAMES = TABLES.stream().map(TableName::name).toList();
    static final Path BACKUP_DIR = Path.of(System.getProperty("user.dir"), "target", "engine-test-backups");
    static final List<String> MCP_TABLES = List.of("archon_mcp_sessions", "archon_mcp_requests");
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-sync-worker");
        t.setDaemon(true);
        return t;
    });

    final TestClusters clusters = TestClusters.get();

    PgCluster local() {
        return clusters.local();
    }

    PgCluster remote() {
        return clusters.remote();
    }

    void reset(String localTemplate, String remoteTemplate) {
        clusters.reset(local(), LOCAL_DB, localTemplate);
        clusters.reset(remote(), REMOTE_DB, remoteTemplate);
    }

    SyncSettings settings() {
        return settings(local().url(LOCAL_DB), remote().url(REMOTE_DB), PgClientTools.discover("auto"));
    }

    SyncSettings settings(String localUrl, String remoteUrl, PgClientTools clients) {
        return settings(localUrl, remoteUrl, clients, BACKUP_DIR, SyncSettings.FreeSpace.FILESYSTEM);
    }

    SyncSettings settings(String localUrl, String remoteUrl, PgClientTools clients, Path backupDir, SyncSettings.FreeSpace free) {
        return new SyncSettings(PgUri.parse(localUrl), PgUri.parse(remoteUrl), TABLES,
                Path.of(System.getProperty("user.dir"), "target", "sync-work"), "256MB", Duration.ofSeconds(20), clients,
                new BackupStore(backupDir, 3), free);
    }

    SyncEngine engine() {
        return engine(settings());
    }

    SyncEngine engine(SyncSettings settings) {
        return new SyncEngine(settings, WORKERS);
    }

    static SyncRequest request(Direction d) {
        return SyncRequest.sync(d, Trigger.MANUAL).build();
    }

    static SyncRequest forced(Direction d) {
        return SyncRequest.sync(d, Trigger.MANUAL).force(true).build();
    }

    /** Starts the sync and waits for its final status. */
    static SyncJob run(SyncEngine engine, SyncRequest request) {
        SyncJob job = new SyncJob(request);
        engine.start(job);
        return awaitEnd(job);
    }

    /** Waits for the job's final status: a subscription, no polling (bounded only so a hung sync fails the test). */
    static SyncJob awaitEnd(SyncJob job) {
        CountDownLatch done = new CountDownLatch(1);
        try (AutoCloseable ignored = job.subscribe(e -> {
            if (e.status().isFinal()) {
                done.countDown();
            }
        })) {
            if (!job.status().isFinal() && !done.await(10, TimeUnit.MINUTES)) {
                throw new AssertionError("sync did not finish: " + job.snapshot());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return job;
    }

    DbChecksum localSum() {
        return DbChecksum.of(local(), LOCAL_DB);
    }

    DbChecksum remoteSum() {
        return DbChecksum.of(remote(), REMOTE_DB);
    }

    static void exec(PgCluster cluster, String db, String... sql) {
        try (Connection c = cluster.connect(db); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
