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
        List<String> removed = store.prune("remote", "h:5432/db");
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
}
