package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.ToolProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: the backup directory is writable by whoever can drop a file there. A manifest naming another
 * application's table, a malformed table key, a pg_dump archive carrying another table's rows and another
 * sequence's setval — each is refused or fails rolled back, the foreign table's rows and sequence unchanged.
 * And retention: a manifest dated 2099 and a failed attempt never cost the backup a completed sync just wrote.
 */
class HostileBackupTest {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final EngineHarness h = new EngineHarness();
    private Path backups;

    @BeforeEach
    void fresh() throws Exception {
        backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "hostile-backups-");
        h.reset("tpl_small", "tpl_small");
        // another application's table in the same database, with a trigger and a sequence
        exec(h.local(), LOCAL_DB, "CREATE TABLE public.canary (id serial PRIMARY KEY, v text NOT NULL)",
                "INSERT INTO public.canary (v) SELECT 'row ' || g FROM generate_series(1, 1000) g",
                "CREATE TABLE public.canary_log (n int)",
                "CREATE FUNCTION public.canary_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.canary_log "
                        + "VALUES (1); RETURN NULL; END $$",
                "CREATE TRIGGER canary_audit AFTER TRUNCATE ON public.canary FOR EACH STATEMENT EXECUTE FUNCTION public.canary_audit()");
    }

    private SyncEngine engine(int keep) {
        SyncSettings s = h.settings(h.local().url(LOCAL_DB), h.remote().url(REMOTE_DB), PgClientTools.discover("auto"), backups,
                SyncSettings.FreeSpace.FILESYSTEM);
        return new SyncEngine(new SyncSettings(s.local(), s.remote(), s.tables(), s.workDir(), s.maintenanceWorkMem(), s.lockTimeout(),
                s.clients(), new BackupStore(backups, keep), s.freeSpace()), Executors.newSingleThreadExecutor());
    }

    private String canary() throws Exception {
        try (Connection c = h.local().connect(LOCAL_DB); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) || '/' || sum(hashtext(v)) || '/' || (SELECT last_value FROM public.canary_id_seq) "
                        + "|| '/' || (SELECT count(*) FROM public.canary_log) FROM public.canary")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A completed remote → local sync with a backup of the local tables it replaced. */
    private BackupManifest realBackup(SyncEngine engine) throws Exception {
        exec(h.remote(), REMOTE_DB, "UPDATE archon_settings SET value = coalesce(value, '') || ' (cloud)'");
        SyncJob sync = EngineHarness.run(engine, SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).force(true).backup(true).build());
        assertEquals(SyncStatus.COMPLETED, sync.status(), () -> sync.snapshot().toString());
        return new BackupStore(backups, 3).list().stream().filter(m -> m.syncId().equals(sync.id())).findFirst().orElseThrow();
    }

    private static String plantedId(int n) {
        return String.format("20261201T1200%02dZ_remote-to-local_local_app_local_evil%04d", n, n);
    }

    private void plantTableFiles(BackupManifest real, String id, Map<String, Long> tables, List<BackupManifest.TableFile> files,
            Map<String, String> extraFiles) throws Exception {
        BackupStore store = new BackupStore(backups, 3);
        Path dir = Files.createDirectories(store.tableFiles(id));
        for (BackupManifest.TableFile f : real.files()) {
            Files.copy(store.tableFiles(real.id()).resolve(f.file()), dir.resolve(f.file()));
        }
        for (var e : extraFiles.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        Files.writeString(backups.resolve(id + ".json"), JSON.writeValueAsString(new BackupManifest(id, "local", real.endpoint(),
                Instant.now(), "planted", real.direction(), real.serverVersion(), 0, real.sizeBytes(), tables, real.sequences(),
                BackupManifest.TABLE_FILES, files)));
    }

    private SyncJob restore(SyncEngine engine, String id) {
        return EngineHarness.run(engine, SyncRequest.restore("local", id, Trigger.MANUAL).force(true).requestedBy("test").build());
    }

    @Test
    void aManifestNamingAnotherApplicationsTableOrAMalformedKeyIsRefused() throws Exception {
        SyncEngine engine = engine(3);
        BackupManifest real = realBackup(engine);
        String before = canary();

        Map<String, Long> tables = new LinkedHashMap<>(real.tables());
        tables.put("public.canary", 2L);
        List<BackupManifest.TableFile> files = new ArrayList<>(real.files());
        files.add(new BackupManifest.TableFile("public.canary", "canary.copy", List.of("id", "v"), "text", 2, 24));
        plantTableFiles(real, plantedId(1), tables, files, Map.of("canary.copy", "1\tplanted\n2\tplanted\n"));
        SyncJob foreign = restore(engine, plantedId(1));
        assertEquals(SyncStatus.REFUSED, foreign.status(), () -> foreign.snapshot().toString());
        assertEquals("backup_not_archon", foreign.snapshot().refusals().get(0).code());
        assertTrue(foreign.snapshot().refusals().get(0).message().contains("public.canary"), foreign.snapshot().refusals().toString());

        // the same table spelled differently from how the service writes it ("public.x" gave a 500)
        String key = real.tables().keySet().iterator().next();
        Map<String, Long> respelled = new LinkedHashMap<>();
        real.tables().forEach((k, v) -> respelled.put(k.equals(key) ? "public." + k : k, v));
        List<BackupManifest.TableFile> respelledFiles = real.files().stream().map(f -> f.table().equals(key)
                ? new BackupManifest.TableFile("public." + key, f.file(), f.columns(), f.copyFormat(), f.rows(), f.bytes()) : f).toList();
        plantTableFiles(real, plantedId(2), respelled, respelledFiles, Map.of());
        SyncJob malformed = restore(engine, plantedId(2));
        assertEquals(SyncStatus.REFUSED, malformed.status(), () -> malformed.snapshot().toString());
        assertEquals("backup_not_archon", malformed.snapshot().refusals().get(0).code());
        assertEquals(before, canary(), "the other application's rows, sequence and trigger are untouched");

        // the genuine backup still restores
        SyncJob genuine = restore(engine, real.id());
        assertEquals(SyncStatus.COMPLETED, genuine.status(), () -> genuine.snapshot().toString());
        assertEquals(before, canary());
    }

    @Test
    void aLegacyArchiveRestoresOnlyTheCopyDataOfItsManifestsTables() throws Exception {
        SyncEngine engine = engine(3);
        int serverMajor;
        try (Connection c = h.local().connect(LOCAL_DB)) {
            serverMajor = c.getMetaData().getDatabaseMajorVersion();
        }
        PgClient pgDump = PgClientTools.discover("auto").forDump(serverMajor).orElseThrow();
        long settingsRows = count("archon_settings");
        exec(h.local(), LOCAL_DB, "SELECT setval('public.canary_id_seq', 5000)");

        // an archive with archon_settings' rows plus the canary's rows and its sequence's setval
        String id = plantedId(3);
        Path archive = new BackupStore(backups, 3).archive(id);
        ToolProcess.Result dump = ToolProcess.run(pgDump, "pg_dump", List.of("--data-only", "--format=custom", "--file=" + archive,
                "--table=public.archon_settings", "--table=public.canary", "--table=public.canary_id_seq"),
                PgUri.parse(h.local().url(LOCAL_DB)), null, null);
        assertEquals(0, dump.exitCode(), dump.stderr());
        exec(h.local(), LOCAL_DB, "UPDATE public.canary SET v = v || ' (now)'", "SELECT setval('public.canary_id_seq', 7000)");
        String canaryNow = canary();
        writeArchiveManifest(id, pgDump, Map.of("archon_settings", settingsRows), serverMajor);
        SyncJob smuggled = restore(engine, id);
        assertEquals(SyncStatus.FAILED, smuggled.status(), () -> smuggled.snapshot().toString());
        assertTrue(smuggled.snapshot().error().contains("canary"), smuggled.snapshot().error());
        assertEquals(canaryNow, canary(), "the canary's rows and sequence are as they were: nothing of the archive ran");

        // only a setval of another sequence next to Archon's rows: the rows load, the setval never runs
        String id2 = plantedId(4);
        Path archive2 = new BackupStore(backups, 3).archive(id2);
        ToolProcess.Result dump2 = ToolProcess.run(pgDump, "pg_dump", List.of("--data-only", "--format=custom", "--file=" + archive2,
                "--table=public.archon_settings", "--table=public.canary_id_seq"), PgUri.parse(h.local().url(LOCAL_DB)), null, null);
        assertEquals(0, dump2.exitCode(), dump2.stderr());
        exec(h.local(), LOCAL_DB, "SELECT setval('public.canary_id_seq', 9000)");
        String canaryLater = canary();
        writeArchiveManifest(id2, pgDump, Map.of("archon_settings", settingsRows), serverMajor);
        SyncJob restored = restore(engine, id2);
        assertEquals(SyncStatus.COMPLETED, restored.status(), () -> restored.snapshot().toString());
        assertEquals(settingsRows, count("archon_settings"));
        assertEquals(canaryLater, canary(), "the archive's setval of another application's sequence did not run");
    }

    private long count(String table) throws Exception {
        try (Connection c = h.local().connect(LOCAL_DB); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void writeArchiveManifest(String id, PgClient pgDump, Map<String, Long> tables, int serverMajor) throws Exception {
        Files.writeString(backups.resolve(id + ".json"), JSON.writeValueAsString(new BackupManifest(id, "local",
                PgUri.parse(h.local().url(LOCAL_DB)).endpoint(), Instant.now(), "planted", "remote-to-local", serverMajor * 10000,
                pgDump.major(), Files.size(new BackupStore(backups, 3).archive(id)), tables, List.of())));
    }

    @Test
    void retentionAfterCommitNeverDropsTheBackupJustWrittenNorCountsFailedAttempts() throws Exception {
        SyncEngine engine = engine(2);
        BackupManifest first = realBackup(engine);
        BackupManifest second = realBackup(engine);
        // two manifests claiming 2099, written by someone else before the next sync
        for (int n = 0; n < 2; n++) {
            String id = "20991231T2359" + (50 + n) + "Z_remote-to-local_local_app_local_future0" + n;
            Map<String, Long> tables = new LinkedHashMap<>(second.tables());
            plantTableFiles(second, id, tables, second.files(), Map.of());
            String text = Files.readString(backups.resolve(id + ".json")).replaceFirst("\"createdAt\":\"[^\"]+\"",
                    "\"createdAt\":\"2099-12-31T23:59:5" + n + "Z\"");
            Files.writeString(backups.resolve(id + ".json"), text);
            Files.setLastModifiedTime(backups.resolve(id + ".json"), FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        }
        // a failed attempt: its backup is written, then the load fails (a constraint no row meets)
        exec(h.local(), LOCAL_DB, "ALTER TABLE archon_settings ADD CONSTRAINT nothing_fits CHECK (false) NOT VALID");
        exec(h.remote(), REMOTE_DB, "UPDATE archon_settings SET value = coalesce(value, '') || ' (again)'");
        SyncJob failed = EngineHarness.run(engine, SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).force(true).backup(true).build());
        assertEquals(SyncStatus.FAILED, failed.status(), () -> failed.snapshot().toString());
        List<String> afterFailure = ids();
        assertTrue(afterFailure.contains(first.id()) && afterFailure.contains(second.id()),
                "a failed attempt prunes nothing: " + afterFailure);
        BackupManifest failedBackup = new BackupStore(backups, 2).list().stream().filter(m -> m.syncId().equals(failed.id()))
                .findFirst().orElseThrow();
        assertTrue(new BackupStore(backups, 2).isPending(failedBackup.id()));

        exec(h.local(), LOCAL_DB, "ALTER TABLE archon_settings DROP CONSTRAINT nothing_fits");
        BackupManifest third = realBackup(engine);
        List<String> after = ids();
        assertTrue(after.contains(third.id()), "the backup the completed sync just wrote survives: " + after);
        assertTrue(after.contains(second.id()), "with keep = 2, the previous completed restore point too: " + after);
        assertFalse(after.contains(first.id()), after.toString());
        assertFalse(after.contains(failedBackup.id()), "the failed attempt's backup goes once a newer completed one exists");
        assertFalse(after.stream().anyMatch(i -> i.startsWith("2099")), "manifests dated 2099 but written earlier are older: " + after);
    }

    private List<String> ids() throws Exception {
        try (Stream<Path> s = Files.list(backups)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).map(n -> n.replace(".json", "")).toList();
        }
    }
}
