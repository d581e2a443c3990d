package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        return SyncRequest.sync(d, Trigger.MANUAL).force(true).backup(true).build();
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
        assertTrue(b.isTableFiles(), b.toString());
        assertTrue(b.sizeBytes() > 0 && sizeOf(new BackupStore(backups, 3).tableFiles(b.id())) == b.sizeBytes(), b.toString());

        SyncJob restore = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM),
                SyncRequest.restore("local", b.id(), Trigger.MANUAL).force(true).requestedBy("test").build());
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
            assertEquals(8, files.count(), "a directory of table files and a manifest each, nothing else left");
        }
    }

    /**
     * A sync that replaces one table backs up that table only (the others are not touched), and restoring that
     * backup puts exactly it back.
     */
    @Test
    void aBackupHoldsTheTablesTheSyncReplacesAndItsRestorePutsBackOnlyThose() throws IOException {
        h.reset("tpl_small", "tpl_small");
        SyncEngine engine = engine(backups, SyncSettings.FreeSpace.FILESYSTEM);
        SyncJob first = EngineHarness.run(engine, SyncRequest.sync(Direction.LOCAL_TO_REMOTE, Trigger.MANUAL).force(true).build());
        assertEquals(SyncStatus.COMPLETED, first.status(), () -> first.snapshot().toString());
        DbChecksum remoteBefore = h.remoteSum();
        exec(h.local(), LOCAL_DB, "UPDATE archon_settings SET value = coalesce(value, '') || ' (new)'");
        SyncJob sync = EngineHarness.run(engine, withBackup(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, sync.status(), () -> sync.snapshot().toString());
        assertNotEquals(remoteBefore, h.remoteSum());
        BackupManifest b = new BackupStore(backups, 3).list().get(0);
        assertEquals(List.of("archon_settings"), List.copyOf(b.tables().keySet()));
        assertEquals(List.of("archon_settings"), b.files().stream().map(BackupManifest.TableFile::table).toList());
        assertEquals(remoteBefore.rows("archon_settings"), b.tables().get("archon_settings"));

        SyncJob restore = EngineHarness.run(engine, SyncRequest.restore("remote", b.id(), Trigger.MANUAL).force(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, restore.status(), () -> restore.snapshot().toString());
        assertEquals(List.of("archon_settings"), restore.report().tables().stream().map(t -> t.table()).toList());
        assertEquals(remoteBefore, h.remoteSum(), "the remote as it was before the sync, the 16 other tables never touched");
    }

    /** Backups written before table files (a pg_dump archive, a manifest without a format) still restore. */
    @Test
    void aPgDumpBackupFromBeforeTableFilesStillRestores() throws Exception {
        h.reset("tpl_small", "tpl_big");
        DbChecksum before = h.localSum();
        BackupStore store = new BackupStore(backups, 3);
        String id = "20261101T120000Z_remote-to-local_local_" + LOCAL_DB + "_0ld0ld00";
        PgCluster c = h.local();
        List<String> argv = new ArrayList<>(List.of(c.binDir().resolve("pg_dump").toString(), "--format=custom", "--compress=0",
                "--no-owner", "--no-privileges", "-h", c.host(), "-p", Integer.toString(c.port()), "-U", c.user(), "-d", LOCAL_DB,
                "-f", store.archive(id).toString()));
        TABLE_NAMES.forEach(t -> argv.add("--table=public." + t));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", c.password());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        Map<String, Long> counts = new LinkedHashMap<>();
        TABLE_NAMES.forEach(t -> counts.put(t, before.rows(t)));
        // the manifest as the service wrote it then: no format, no table files (the sequences came from the archive's setval)
        Files.writeString(backups.resolve(id + ".json"), """
                {"id": "%s", "database": "local", "endpoint": "%s", "createdAt": "2026-11-01T12:00:00Z", "syncId": "0ld0ld00",
                 "direction": "remote-to-local", "serverVersion": 150000, "dumpMajor": 15, "sizeBytes": %d,
                 "tables": %s, "sequences": []}
                """.formatted(id, "127.0.0.1:" + c.port() + "/" + LOCAL_DB, Files.size(store.archive(id)),
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(counts)));
        assertEquals(BackupManifest.PG_DUMP, store.find(id).map(m -> m.format() == null ? BackupManifest.PG_DUMP : m.format())
                .orElseThrow());

        SyncJob sync = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM), withBackup(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, sync.status(), () -> sync.snapshot().toString());
        assertNotEquals(before, h.localSum());
        SyncJob restore = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM),
                SyncRequest.restore("local", id, Trigger.MANUAL).force(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, restore.status(), () -> restore.snapshot().toString());
        assertEquals(before, h.localSum(), "checksum-identical to the database the archive was taken of, sequences included");
    }

    /** A table-files backup names its columns: one the target no longer has refuses the restore before anything is touched. */
    @Test
    void aRestoreWhoseColumnIsGoneIsRefused() throws IOException {
        h.reset("tpl_small", "tpl_small");
        exec(h.local(), LOCAL_DB, "UPDATE archon_prompts SET prompt = prompt || ' (local)'");
        SyncJob sync = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM), withBackup(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, sync.status(), () -> sync.snapshot().toString());
        BackupManifest b = new BackupStore(backups, 3).list().get(0);
        exec(h.remote(), REMOTE_DB, "ALTER TABLE archon_prompts DROP COLUMN description");
        DbChecksum remote = h.remoteSum();
        SyncJob restore = EngineHarness.run(engine(backups, SyncSettings.FreeSpace.FILESYSTEM),
                SyncRequest.restore("remote", b.id(), Trigger.MANUAL).force(true).requestedBy("test").build());
        assertEquals(SyncStatus.REFUSED, restore.status(), () -> restore.snapshot().toString());
        Refusal r = restore.snapshot().refusals().get(0);
        assertEquals("backup_columns_differ", r.code());
        assertTrue(r.message().contains("description") && r.message().contains("archon_prompts"), r.message());
        assertEquals(remote, h.remoteSum());
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
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
