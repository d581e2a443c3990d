package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.DbChecksum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The safety net: a backup before the sync, and a restore that gives the old database back exactly. */
class BackupRestoreTest {
    private final EngineHarness h = new EngineHarness();
    private Path backups;

    @BeforeEach
    void freshBackupDir() throws IOException {
        backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "backups-");
    }

    private SyncEngine engine(Path backupDir, SyncSettings.FreeSpace free) {
        return new SyncEngine(h.settings(h.local().url(LOCAL_DB), h.remote().url(REMOTE_DB), PgClientTools.discover("auto"),
                backupDir, free), Executors.newSingleThreadExecutor());
    }

    private static SyncRequest withBackup(Direction d) {
        return new SyncRequest(d, true, true, false, Trigger.MANUAL);
    }

    @Test
    void backupThenSyncThenRestoreGivesThePreSyncDatabaseBack() throws IOException {
        h.reset("tpl_small", "tpl_big");
        DbChecksum before = h.localSum();
        SyncJob sync = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM), withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, sync.status(), () -> sync.snapshot().toString());
        assertTrue(sync.report().phaseSeconds().containsKey("backing_up"));
        assertEquals(h.remoteSum().only(TABLE_NAMES), h.localSum().only(TABLE_NAMES));

        List<BackupManifest> list = new BackupStore(backups, 3).list();
        assertEquals(1, list.size());
        BackupManifest b = list.get(0);
        assertEquals("local", b.database());
        assertTrue(b.id().contains("remote-to-local_local_" + LOCAL_DB), b.id());
        assertEquals(before.rows("archon_crawled_pages"), b.tables().get("archon_crawled_pages"));
        assertTrue(b.sizeBytes() > 0 && Files.size(new BackupStore(backups, 3).archive(b.id())) == b.sizeBytes());

        SyncJob restore = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM),
                SyncRequest.restore("local", b.id(), Trigger.MANUAL, "test"));
        assertEquals(SyncStatus.COMPLETED, restore.status(), () -> restore.snapshot().toString());
        assertEquals("restore", restore.snapshot().operation());
        assertEquals(before, h.localSum(), "checksum-identical to the state before the sync, sequences included");
        assertNoWorkFiles(sync);
        assertNoWorkFiles(restore);
    }

    @Test
    void retentionKeepsTheNewestThreePerDatabase() throws IOException {
        h.reset("tpl_small", "tpl_small");
        SyncEngine engine = engine(backups, SyncSettings.FreeSpace.FILESYSTEM);
        for (int i = 0; i < 4; i++) {
            // each sync has something to write (an unchanged target is left alone, and so needs no backup)
            EngineHarness.exec(h.local(), EngineHarness.LOCAL_DB, "UPDATE archon_prompts SET prompt = prompt || ' v" + i + "'");
            SyncJob j = EngineHarness.run(engine, withBackup(Direction.LOCAL_TO_REMOTE));
            assertEquals(SyncStatus.COMPLETED, j.status(), () -> j.snapshot().toString());
        }
        EngineHarness.exec(h.remote(), EngineHarness.REMOTE_DB, "UPDATE archon_prompts SET prompt = prompt || ' (cloud)'");
        SyncJob other = EngineHarness.run(engine, withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, other.status());
        List<BackupManifest> list = new BackupStore(backups, 3).list();
        assertEquals(3, list.stream().filter(m -> m.database().equals("remote")).count(), list::toString);
        assertEquals(1, list.stream().filter(m -> m.database().equals("local")).count(), list::toString);
        try (Stream<Path> files = Files.list(backups)) {
            assertEquals(8, files.count(), "an archive and a manifest each, nothing else left");
        }
    }

    @Test
    void unwritableBackupDirRefusesWithBothDatabasesUntouched() throws IOException {
        h.reset("tpl_small", "tpl_small");
        Path notADir = Files.writeString(backups.resolve("a-file"), "x");
        DbChecksum local = h.localSum();
        DbChecksum remote = h.remoteSum();
        SyncJob job = EngineHarness.run(engine(notADir.resolve("backups"), SyncSettings.FreeSpace.FILESYSTEM), withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.REFUSED, job.status());
        assertEquals("backup_dir_unwritable", job.snapshot().refusals().get(0).code());
        assertTrue(job.snapshot().error().contains("a-file/backups"), job.snapshot().error());
        assertEquals(local, h.localSum());
        assertEquals(remote, h.remoteSum());
    }

    @Test
    void notEnoughDiskForTheBackupRefuses() {
        h.reset("tpl_small", "tpl_small");
        DbChecksum local = h.localSum();
        SyncJob job = EngineHarness.run(engine(backups, dir -> 1024 * 1024), withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.REFUSED, job.status());
        Refusal r = job.snapshot().refusals().get(0);
        assertEquals("disk_space", r.code());
        assertTrue(r.message().contains(backups.toAbsolutePath().toString()) && r.message().contains("1 MB free"), r.message());
        assertEquals(local, h.localSum());
    }

    @Test
    void aFailedSyncLeavesNoWorkFiles() {
        h.reset("tpl_supabase", "tpl_small"); // fresh target: the schema dump is a work file
        exec(h.remote(), REMOTE_DB, "SET session_replication_role = replica",
                "INSERT INTO archon_task_history (task_id, field_name) VALUES ('00000000-0000-0000-0000-000000000009', 'x')");
        DbChecksum before = h.localSum();
        SyncJob job = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM), withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.FAILED, job.status(), () -> job.snapshot().toString());
        assertEquals(before, h.localSum(), "not even the created tables remain");
        assertNoWorkFiles(job);
    }

    private void assertNoWorkFiles(SyncJob job) {
        Path dir = h.settings().workDir().resolve("sync-" + job.id());
        assertFalse(Files.exists(dir), "work files of " + job.id() + " removed");
    }
}
