package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.engine.plan.BackupPreflight;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 8: the backup and work directories full or unwritable, on real filesystems the test mounts
 * (tests run as root, so permissions stop nothing: a read-only tmpfs does, a full tmpfs does, a file
 * where a directory should be does). Unwritable → refused before anything is touched, naming the
 * directory and its setting; full in the middle of the backup or of the schema dump → failed in plain
 * words, the target untouched, no partial file left, and the next sync works once there is space.
 */
@Tag("faults")
class DiskFaultTest {
    private static final Pattern JAVA_NAMES = Pattern.compile("[a-z]+\\.[a-z]+\\.[A-Za-z.]*(Exception|Error)|[A-Z][A-Za-z]+Exception");
    private static final Path ROOT = Path.of(System.getProperty("user.dir"), "target", "disk-faults");
    private static final java.util.concurrent.ExecutorService WORKER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "disk-fault-sync");
        t.setDaemon(true);
        return t;
    });
    private final EngineHarness h = new EngineHarness();
    private final List<String> outcomes = new ArrayList<>();

    @Test
    void unwritableDirectoriesAreRefusedBeforeAnythingIsTouched() throws Exception {
        h.reset("tpl_small", "tpl_small");
        DbChecksum remoteBefore = h.remoteSum();
        try (Tmpfs ro = Tmpfs.mount(ROOT.resolve("read-only"), "1m")) {
            ro.remountReadOnly();
            // the backup directory on a read-only filesystem
            SyncJob job = EngineHarness.run(engine(ro.dir().resolve("backups"), ROOT.resolve("work")), withBackup(Direction.LOCAL_TO_REMOTE));
            assertRefused(job, "backup_dir_unwritable", ro.dir().resolve("backups"), "ARCHON_SYNC_BACKUP_DIR", "read-only");
            // a file where the backup directory should be
            Path file = Files.writeString(Files.createDirectories(ROOT).resolve("a-file"), "not a directory");
            job = EngineHarness.run(engine(file.resolve("backups"), ROOT.resolve("work")), withBackup(Direction.LOCAL_TO_REMOTE));
            assertRefused(job, "backup_dir_unwritable", file.resolve("backups"), "ARCHON_SYNC_BACKUP_DIR", "not a directory");
            assertEquals(remoteBefore, h.remoteSum(), "target untouched");
            // the work directory (a fresh target's schema is dumped there) on a read-only filesystem
            h.clusters.reset(h.remote(), REMOTE_DB, "tpl_supabase");
            DbChecksum fresh = h.remoteSum();
            job = EngineHarness.run(engine(ROOT.resolve("backups"), ro.dir().resolve("work")), withBackup(Direction.LOCAL_TO_REMOTE));
            assertRefused(job, "work_dir_unwritable", ro.dir().resolve("work"), "ARCHON_SYNC_WORK_DIR", "read-only");
            assertEquals(fresh, h.remoteSum(), "target untouched");
        }
        outcomes.forEach(o -> System.out.println("[disk-faults] " + o));
    }

    @Test
    void aBackupDirectoryThatFillsUpMidBackupFailsPlainlyAndTheNextSyncWorksOnceThereIsSpace() throws Exception {
        for (Direction d : Direction.values()) {
            h.reset("tpl_small", "tpl_small");
            PgCluster source = d == Direction.LOCAL_TO_REMOTE ? h.local() : h.remote();
            PgCluster target = d == Direction.LOCAL_TO_REMOTE ? h.remote() : h.local();
            String sourceDb = d == Direction.LOCAL_TO_REMOTE ? LOCAL_DB : REMOTE_DB;
            String targetDb = d == Direction.LOCAL_TO_REMOTE ? REMOTE_DB : LOCAL_DB;
            // room for the preflight's estimate (table data × 2.5) and a little more: the disk fills up later
            long estimate;
            try (var c = target.connect(targetDb); var rs = c.createStatement().executeQuery("SELECT sum(pg_table_size(c.oid)) "
                    + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                    + "AND c.relname LIKE 'archon_%' AND c.relkind = 'r'")) {
                rs.next();
                estimate = rs.getLong(1);
            }
            String size = ((long) (estimate * BackupPreflight.COPY_EXPANSION) / (1 << 20) + 8) + "m";
            try (Tmpfs disk = Tmpfs.mount(ROOT.resolve("backup-disk"), size)) {
                Path backups = disk.dir().resolve("backups");
                DbChecksum before = DbChecksum.of(target, targetDb);
                SyncJob job = new SyncJob(withBackup(d));
                AtomicBoolean filled = new AtomicBoolean();
                job.subscribe(ev -> { // on the sync's own thread, as the backup starts: someone else fills the disk
                    if (ev.phase() == Phase.BACKING_UP && filled.compareAndSet(false, true)) {
                        disk.fill();
                    }
                });
                engine(backups, ROOT.resolve("work")).start(job);
                EngineHarness.awaitEnd(job);
                String what = "backup disk full, " + d.wire() + ": " + job.snapshot();
                assertTrue(filled.get(), what);
                assertEquals(SyncStatus.FAILED, job.status(), what);
                String error = job.snapshot().error();
                assertTrue(error.contains("no space left on the backup directory " + backups.toAbsolutePath()), what);
                assertTrue(error.contains("ARCHON_SYNC_BACKUP_DIR"), what);
                assertFalse(JAVA_NAMES.matcher(error).find(), "no Java names: " + error);
                assertEquals(before, DbChecksum.of(target, targetDb), "target untouched: " + what);
                assertEquals(List.of(), backupFiles(backups), "no partial backup, no archive without a manifest");
                outcomes.add("backup directory full mid-backup, " + d.wire() + " → failed: " + error);

                disk.free();
                SyncJob next = EngineHarness.run(engine(backups, ROOT.resolve("work")), withBackup(d));
                assertEquals(SyncStatus.COMPLETED, next.status(), () -> "the next sync works: " + next.snapshot());
                assertEquals(DbChecksum.of(source, sourceDb).only(TABLE_NAMES), DbChecksum.of(target, targetDb).only(TABLE_NAMES));
                assertEquals(2, backupFiles(backups).size(), "its backup and manifest: " + backupFiles(backups));
            }
        }
        outcomes.forEach(o -> System.out.println("[disk-faults] " + o));
    }

    @Test
    void aWorkDirectoryThatFillsUpMidExportFailsPlainlyAndTheNextSyncWorksOnceThereIsSpace() throws Exception {
        h.reset("tpl_small", "tpl_supabase"); // a fresh remote: its schema is dumped into the work directory first
        DbChecksum before = h.remoteSum();
        try (Tmpfs disk = Tmpfs.mount(ROOT.resolve("work-disk"), "16m")) {
            Path work = disk.dir().resolve("work");
            SyncJob job = new SyncJob(withBackup(Direction.LOCAL_TO_REMOTE));
            AtomicBoolean filled = new AtomicBoolean();
            job.subscribe(ev -> {
                if (ev.phase() == Phase.EXPORTING && filled.compareAndSet(false, true)) {
                    disk.fill();
                }
            });
            engine(ROOT.resolve("backups"), work).start(job);
            EngineHarness.awaitEnd(job);
            String what = "work disk full: " + job.snapshot();
            assertTrue(filled.get(), what);
            assertEquals(SyncStatus.FAILED, job.status(), what);
            String error = job.snapshot().error();
            assertTrue(error.contains("no space left on the work directory " + work.toAbsolutePath()), what);
            assertTrue(error.contains("ARCHON_SYNC_WORK_DIR"), what);
            assertFalse(JAVA_NAMES.matcher(error).find(), "no Java names: " + error);
            assertEquals(before, h.remoteSum(), "target untouched");
            assertFalse(Files.exists(work.resolve("sync-" + job.id())), "work files removed");
            outcomes.add("work directory full mid-export (fresh target) → failed: " + error);

            disk.free();
            SyncJob next = EngineHarness.run(engine(ROOT.resolve("backups"), work), withBackup(Direction.LOCAL_TO_REMOTE));
            assertEquals(SyncStatus.COMPLETED, next.status(), () -> "the next sync works: " + next.snapshot());
            assertEquals(h.localSum().only(TABLE_NAMES), h.remoteSum().only(TABLE_NAMES));
        }
        outcomes.forEach(o -> System.out.println("[disk-faults] " + o));
    }

    private void assertRefused(SyncJob job, String code, Path dir, String setting, String why) {
        ProgressEvent end = job.snapshot();
        String said = end.refusals().toString();
        assertEquals(SyncStatus.REFUSED, end.status(), said);
        Refusal r = end.refusals().stream().filter(x -> x.code().equals(code)).findFirst().orElseThrow(() -> new AssertionError(said));
        assertTrue(r.message().contains(dir.toAbsolutePath().toString()), "names the directory: " + r.message());
        assertTrue(r.message().contains(setting), "names the setting: " + r.message());
        assertTrue(r.message().contains(why), "says why (" + why + "): " + r.message());
        assertFalse(JAVA_NAMES.matcher(r.message()).find(), "no Java names: " + r.message());
        outcomes.add(code + " → refused: " + r.message());
    }

    private SyncEngine engine(Path backups, Path work) {
        return new SyncEngine(new SyncSettings(PgUri.parse(h.local().url(LOCAL_DB)), PgUri.parse(h.remote().url(REMOTE_DB)),
                EngineHarness.TABLES, work, "256MB", Duration.ofSeconds(20), PgClientTools.discover("auto"),
                new BackupStore(backups, 3), SyncSettings.FreeSpace.FILESYSTEM), WORKER);
    }

    private static SyncRequest withBackup(Direction d) {
        return SyncRequest.sync(d, Trigger.MANUAL).force(true).backup(true).build();
    }

    private static List<String> backupFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A tmpfs this test mounts and unmounts: a disk that really fills up, or really is read-only. */
    record Tmpfs(Path dir) implements AutoCloseable {
        static Tmpfs mount(Path dir, String size) throws Exception {
            if (((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() != 0) {
                fail("this test mounts a tmpfs (a disk that fills up or is read-only even for root) and must run as root; "
                        + "it does in CI (scripts/test.sh runs as root): run it there or as root");
            }
            Files.createDirectories(dir);
            run("umount", "-l", dir.toString()); // a mount an aborted run left (exit code ignored)
            int rc = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString());
            if (rc != 0) {
                fail("could not mount a tmpfs on " + dir + " (exit " + rc + "): the disk-fault tests need CAP_SYS_ADMIN");
            }
            return new Tmpfs(dir);
        }

        void remountReadOnly() throws Exception {
            assertEquals(0, run("mount", "-o", "remount,ro", dir.toString()), "remount read-only");
        }

        /** Writes until the filesystem says it is full. */
        void fill() {
            Path filler = dir.resolve("filler");
            byte[] chunk = new byte[1 << 20];
            try (FileOutputStream out = new FileOutputStream(filler.toFile(), true)) {
                while (true) {
                    out.write(chunk);
                }
            } catch (IOException full) {
                // full now; the last few kilobytes too
            }
            try (FileOutputStream out = new FileOutputStream(filler.toFile(), true)) {
                while (true) {
                    out.write(chunk, 0, 4096);
                }
            } catch (IOException full) {
                // full to the block
            }
        }

        void free() throws IOException {
            Files.deleteIfExists(dir.resolve("filler"));
        }

        @Override
        public void close() throws Exception {
            assertEquals(0, run("umount", dir.toString()), "unmount " + dir);
        }

        private static int run(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        }
    }
}
