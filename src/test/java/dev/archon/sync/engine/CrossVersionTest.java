package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.ArchonFixture;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL 17 "local" (the Supabase CLI's default local stack) against the 15 "remote" (an older
 * Cloud project): syncs both ways, backups and restores, with the client tools of both versions
 * installed (scripts/build-pg17.sh builds 17 into /opt/archon-pg17).
 */
class CrossVersionTest {
    static final Path PG17 = Path.of(System.getProperty("archon.test.pg17.bin", "/opt/archon-pg17/bin"));
    static final String DB = "app17";
    private static PgCluster local17;
    private final EngineHarness h = new EngineHarness();

    @BeforeAll
    static void startPostgres17() throws SQLException {
        assertTrue(Files.isExecutable(PG17.resolve("postgres")),
                "PostgreSQL 17 is not built: run scripts/build-pg17.sh (scripts/test.sh does it)");
        local17 = PgCluster.start("local17", PG17);
        assertEquals(17, local17.majorVersion());
        ArchonFixture.createDatabase(local17, "tpl_small", "template0", true, 0.01, 5);
        ArchonFixture.createDatabase(local17, "tpl_supabase", "template0", false, 0, 0);
    }

    @AfterAll
    static void stop() {
        if (local17 != null) {
            local17.stop();
        }
    }

    private SyncEngine engine(Path backups) {
        PgClientTools both = PgClientTools.discover("/usr/lib/postgresql/15/bin:" + PG17);
        assertEquals(List.of(15, 17), both.all().stream().map(c -> c.major()).toList());
        return new SyncEngine(h.settings(local17.url(DB), h.remote().url(REMOTE_DB), both, backups, SyncSettings.FreeSpace.FILESYSTEM),
                Executors.newSingleThreadExecutor());
    }

    private void reset(String localTemplate, String remoteTemplate) {
        local17.dropDatabase(DB);
        local17.createDatabase(DB, localTemplate);
        h.clusters.reset(h.remote(), REMOTE_DB, remoteTemplate);
    }

    private DbChecksum local() {
        return DbChecksum.of(local17, DB);
    }

    private static SyncRequest withBackup(Direction d) {
        return SyncRequest.sync(d, Trigger.MANUAL).force(true).backup(true).build();
    }

    @Test
    void bothWaysWithBackupsAndRestores() throws Exception {
        reset("tpl_small", "tpl_small");
        Path backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "backups17-");
        SyncEngine engine = engine(backups);
        BackupStore store = new BackupStore(backups, 3);

        // 17 → 15: the backup of the 15 target is its tables' binary COPY files, loaded back by COPY
        DbChecksum remoteBefore = h.remoteSum();
        SyncJob up = EngineHarness.run(engine, withBackup(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, up.status(), () -> up.snapshot().toString());
        assertEquals(local().only(TABLE_NAMES), h.remoteSum().only(TABLE_NAMES));
        assertEquals(local().sequences(), h.remoteSum().sequences());
        BackupManifest remoteBackup = store.list().get(0);
        assertBinaryTableFiles(remoteBackup, up);

        // 15 → 17 (after the remote changed): the backup of the 17 target, the same way
        h.remote().exec(REMOTE_DB, "UPDATE archon_projects SET title = title || ' (cloud edit)'");
        DbChecksum localBefore = local();
        SyncJob down = EngineHarness.run(engine, withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, down.status(), () -> down.snapshot().toString());
        assertEquals(h.remoteSum().only(TABLE_NAMES), local().only(TABLE_NAMES));
        BackupManifest localBackup = store.list().get(0);
        assertEquals("local", localBackup.database());
        assertBinaryTableFiles(localBackup, down);

        // restore each side's backup: each database is back to its state before the sync into it
        SyncJob r17 = EngineHarness.run(engine, SyncRequest.restore("local", localBackup.id(), Trigger.MANUAL).force(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, r17.status(), () -> r17.snapshot().toString());
        assertEquals(localBefore, local());
        SyncJob r15 = EngineHarness.run(engine, SyncRequest.restore("remote", remoteBackup.id(), Trigger.MANUAL).force(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, r15.status(), () -> r15.snapshot().toString());
        assertEquals(remoteBefore, h.remoteSum());
    }

    /** A fresh target gets the tables from the source's schema, dumped by the source's own pg_dump. */
    private void freshTarget(String localTemplate, String remoteTemplate, Direction d, int schemaDumpMajor) {
        reset(localTemplate, remoteTemplate);
        SyncJob job = EngineHarness.run(engine(EngineHarness.BACKUP_DIR), EngineHarness.request(d));
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(schemaDumpMajor, job.plan().schemaClient().major());
        DbChecksum source = d == Direction.LOCAL_TO_REMOTE ? local() : h.remoteSum();
        DbChecksum target = d == Direction.LOCAL_TO_REMOTE ? h.remoteSum() : local();
        assertEquals(source.only(TABLE_NAMES), target.only(TABLE_NAMES));
        assertEquals(source.sequences(), target.sequences());
    }

    /** One binary COPY file per table the sync replaced (every column type of Archon's has binary send/receive). */
    private static void assertBinaryTableFiles(BackupManifest m, SyncJob sync) {
        assertTrue(m.isTableFiles(), m.toString());
        List<String> replaced = sync.report().tables().stream().filter(t -> t.reloaded()).map(t -> t.table()).sorted().toList();
        assertFalse(replaced.isEmpty());
        assertEquals(replaced, m.files().stream().map(BackupManifest.TableFile::table).sorted().toList());
        assertTrue(m.files().stream().allMatch(f -> f.copyFormat().equals("binary")), m.files().toString());
    }

    @Test
    void freshPostgres15TargetFromAPostgres17Source() {
        // the schema comes from pg_dump 17, whose "SET transaction_timeout" a 15 server rejects
        freshTarget("tpl_small", "tpl_supabase", Direction.LOCAL_TO_REMOTE, 17);
    }

    @Test
    void freshPostgres17TargetFromAPostgres15Source() {
        freshTarget("tpl_supabase", "tpl_small", Direction.REMOTE_TO_LOCAL, 15);
    }
}
