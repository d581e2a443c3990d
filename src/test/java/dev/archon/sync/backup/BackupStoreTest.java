package dev.archon.sync.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup directory as a careless or hostile neighbour leaves it: listing and pruning stay correct. */
class BackupStoreTest {

    private static BackupManifest manifest(String id, String database, Instant at) {
        return new BackupManifest(id, database, "h:5432/db", at, "sync-" + id, "local-to-remote", 150000, 15, 10,
                Map.of("archon_sources", 3L), List.of());
    }

    private static String id(int second, String db) {
        return String.format("20261201T1200%02dZ_local-to-remote_%s_postgres_abcd%04d", second, db, second);
    }

    private static void backup(BackupStore store, String id, String db, Instant at) throws Exception {
        Files.createDirectories(store.directory());
        Files.writeString(store.archive(id), "PGDMP");
        store.save(manifest(id, db, at));
    }

    @Test
    void filesArePrivate(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 3);
        backup(store, id(1, "remote"), "remote", Instant.parse("2026-12-01T12:00:01Z"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.directory())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.archive(id(1, "remote")))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                store.directory().resolve(id(1, "remote") + ".json"))));
    }

    @Test
    void foreignOrBrokenManifestsAreSkippedNeverFatal(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 3);
        backup(store, id(1, "remote"), "remote", Instant.parse("2026-12-01T12:00:01Z"));
        Path dir = store.directory();
        String[] broken = {"{\"hello\": 1}", "not json at all", "", "null", "[]",
                "{\"id\":\"%s\",\"database\":\"remote\",\"endpoint\":\"h\",\"created_at\":null,\"tables\":{},\"sequences\":[]}",
                "{\"id\":\"someone-else\",\"database\":\"remote\",\"endpoint\":\"h\",\"createdAt\":\"2026-12-01T12:00:00Z\",\"tables\":{},\"sequences\":[]}"};
        for (int i = 0; i < broken.length; i++) {
            String bid = id(10 + i, "remote");
            Files.writeString(store.archive(bid), "PGDMP");
            Files.writeString(dir.resolve(bid + ".json"), broken[i].formatted(bid));
        }
        Files.writeString(dir.resolve("notes.json"), "{}");
        List<BackupManifest> listed = store.list();
        assertEquals(List.of(id(1, "remote")), listed.stream().map(BackupManifest::id).toList());
        assertTrue(store.find(id(10, "remote")).isEmpty());
    }

    @Test
    void retentionDeletesOnlyFilesNamedAfterAValidManifest(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 1);
        Path dir = store.directory();
        // a manifest claiming someone else's id must not make retention delete that one
        backup(store, id(1, "remote"), "remote", Instant.parse("2026-12-01T12:00:01Z"));
        String liar = id(2, "remote");
        Files.writeString(store.archive(liar), "PGDMP");
        Files.writeString(dir.resolve(liar + ".json"), new String(Files.readAllBytes(dir.resolve(id(1, "remote") + ".json")))
                .replace("12:00:01Z", "12:00:02Z"));
        backup(store, id(3, "remote"), "remote", Instant.parse("2026-12-01T12:00:03Z"));
        List<String> removed = store.prune("remote", "h:5432/db", id(3, "remote"));
        assertEquals(List.of(id(1, "remote")), removed);
        assertTrue(Files.exists(store.archive(id(3, "remote"))));
        assertTrue(Files.exists(store.archive(liar)), "the lying manifest's archive is left alone");
        assertFalse(Files.exists(store.archive(id(1, "remote"))));
    }

    @Test
    void partialFilesOfAnInterruptedBackupAreRemoved(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 3);
        backup(store, id(1, "local"), "local", Instant.parse("2026-12-01T12:00:01Z"));
        Path dir = store.directory();
        Files.writeString(dir.resolve(id(2, "local") + ".dump.partial"), "half");
        Files.writeString(dir.resolve(id(3, "local") + ".json.partial"), "{");
        Files.writeString(dir.resolve("someone-elses.partial"), "keep");
        assertEquals(2, store.removePartials().size());
        assertFalse(Files.exists(dir.resolve(id(2, "local") + ".dump.partial")));
        assertFalse(Files.exists(dir.resolve(id(3, "local") + ".json.partial")));
        assertTrue(Files.exists(dir.resolve("someone-elses.partial")));
        assertEquals(1, store.list().size());
    }

    private static BackupManifest tableFilesManifest(String id, Instant at, String file) {
        return new BackupManifest(id, "remote", "h:5432/db", at, "sync-" + id, "local-to-remote", 150000, 0, 10,
                Map.of("public.archon_sources", 3L), List.of(), BackupManifest.TABLE_FILES,
                List.of(new BackupManifest.TableFile("public.archon_sources", file, List.of("source_id"), "binary", 3, 10)));
    }

    private static void tableFilesBackup(BackupStore store, String id, Instant at) throws Exception {
        Path partial = store.createPartialTableFiles(id);
        Files.writeString(BackupStore.createPrivateFile(partial.resolve("public.archon_sources.copy")), "PGCOPY");
        BackupStore.move(partial, store.tableFiles(id));
        store.save(tableFilesManifest(id, at, "public.archon_sources.copy"));
    }

    @Test
    void tableFilesAreListedPrivateAndPrunedWhole(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 1);
        tableFilesBackup(store, id(1, "remote"), Instant.parse("2026-12-01T12:00:01Z"));
        Path files = store.tableFiles(id(1, "remote"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.resolve("public.archon_sources.copy"))));
        assertEquals(files, store.rowsOf(store.find(id(1, "remote")).orElseThrow()));
        tableFilesBackup(store, id(2, "remote"), Instant.parse("2026-12-01T12:00:02Z"));
        assertEquals(List.of(id(1, "remote")), store.prune("remote", "h:5432/db", id(2, "remote")));
        assertFalse(Files.exists(files), "the pruned backup's directory is gone with its files");
        assertTrue(Files.exists(store.tableFiles(id(2, "remote")).resolve("public.archon_sources.copy")));
    }

    @Test
    void aManifestNamingFilesOutsideItsDirectoryOrMissingOnesIsSkipped(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 3);
        Files.writeString(tmp.resolve("secret.copy"), "not a backup");
        String[] names = {"../../secret.copy", "/etc/passwd", ".hidden.copy", "absent.copy"};
        for (int i = 0; i < names.length; i++) {
            String bid = id(20 + i, "remote");
            Files.createDirectories(store.tableFiles(bid));
            store.save(tableFilesManifest(bid, Instant.parse("2026-12-01T12:00:00Z"), names[i]));
        }
        tableFilesBackup(store, id(30, "remote"), Instant.parse("2026-12-01T12:00:30Z"));
        assertEquals(List.of(id(30, "remote")), store.list().stream().map(BackupManifest::id).toList());
    }

    @Test
    void anInterruptedTableFilesBackupIsRemoved(@TempDir Path tmp) throws Exception {
        BackupStore store = new BackupStore(tmp.resolve("backups"), 3);
        Path partial = store.createPartialTableFiles(id(1, "local"));
        Files.writeString(partial.resolve("public.archon_sources.copy"), "half");
        assertEquals(List.of(id(1, "local") + ".tables.partial"), store.removePartials());
        assertFalse(Files.exists(partial));
    }
}
