package dev.archon.sync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jdi.ThreadReference;
import dev.archon.sync.config.ArchonTables;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 8: the packaged service, a separate process, SIGKILLed in each phase of a sync with a pre-sync
 * backup and started again, both directions. The sync's thread is held at the exact point by a debugger
 * ({@link JvmDebugger}, no hook in the service), then {@code kill -9}. After the restart: the history row
 * says failed (interrupted), GET and /events answer from it (not 404), the target is checksum-identical to
 * before, the advisory locks are gone and no backend of the dead process is left on either server, no work
 * or partial backup files remain, and the next sync works. Each restart is the next case's service.
 */
@Tag("faults")
class ServiceKilledInEachPhaseTest {
    static final String LOCAL_DB = "proc_local";
    static final String REMOTE_DB = "proc_remote";
    static final List<String> TABLES = Arrays.stream(ArchonTables.DEFAULT_CSV.split(",")).map(t -> t.substring(t.indexOf('.') + 1)).toList();
    static final ObjectMapper JSON = new ObjectMapper();
    /** Bounds for what the servers and the restarted service do on their own; a hang fails the test. */
    static final long SETTLE_MILLIS = 30_000;

    /**
     * Where the sync is when the process dies: one point in each phase a sync with a backup goes through.
     * (Also run once and passed, then left out for the CI time budget: as backing_up starts, and on entering
     * COMMIT after verification — the same outcomes as mid-backup and as verifying starts.)
     */
    static final List<JvmDebugger.Point> KILL_POINTS = List.of(
            // validating: connected, both advisory locks and the source snapshot held, fingerprints next
            JvmDebugger.Point.entering("dev.archon.sync.engine.plan.Fingerprints", "take"),
            // backing_up: every table file written and synced, their directory still named .tables.partial
            JvmDebugger.Point.entering("dev.archon.sync.backup.BackupStore", "move"),
            JvmDebugger.Point.phaseStarted("EXPORTING"),
            JvmDebugger.Point.phaseStarted("IMPORTING"),
            JvmDebugger.Point.phaseStarted("INDEXING"),
            JvmDebugger.Point.phaseStarted("VERIFYING"));

    /** Something to sync in each case: the previous case's next sync left both sides equal. */
    static final String CHANGE_ON_THE_SOURCE = "INSERT INTO archon_prompts (prompt_name, prompt) "
            + "VALUES ('case ' || gen_random_uuid(), 'a prompt only the source has')";

    final TestClusters clusters = TestClusters.get();

    @Test
    void killedInEachPhaseAndRestartedLeavesTheTargetAsItWasAndTheNextSyncWorks() throws Exception {
        // Archon's schema with few rows: the cases are about the process, the locks and the transaction, and the
        // CI budget pays for two syncs per case (tpl_small made each case about twice as long)
        clusters.reset(clusters.local(), LOCAL_DB, TestClusters.SCHEMA);
        clusters.reset(clusters.remote(), REMOTE_DB, TestClusters.SCHEMA);
        Path home = Path.of(System.getProperty("user.dir"), "target", "service-killed");
        deleteTree(home);
        List<String> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ServiceProcess service = new ServiceProcess(home, clusters.local().url(LOCAL_DB), clusters.remote().url(REMOTE_DB))) {
            service.start();
            JvmDebugger debugger = JvmDebugger.attach(service.debugPort());
            for (JvmDebugger.Point point : KILL_POINTS) {
                for (String direction : List.of("local-to-remote", "remote-to-local")) {
                    debugger = killAndRestart(service, debugger, point, direction, outcomes);
                }
            }
            debugger = killedAfterCommit(service, debugger, outcomes);
            debugger.close();
        }
        outcomes.forEach(o -> System.out.println("[service-killed] " + o));
        System.out.printf("[service-killed] %d cases in %.1f s%n", outcomes.size(), (System.nanoTime() - t0) / 1e9);
    }

    private JvmDebugger killAndRestart(ServiceProcess service, JvmDebugger debugger, JvmDebugger.Point point, String direction,
            List<String> outcomes) throws Exception {
        boolean toRemote = direction.equals("local-to-remote");
        PgCluster source = toRemote ? clusters.local() : clusters.remote();
        PgCluster target = toRemote ? clusters.remote() : clusters.local();
        String sourceDb = toRemote ? LOCAL_DB : REMOTE_DB;
        String targetDb = toRemote ? REMOTE_DB : LOCAL_DB;
        String what = point + ", " + direction;
        long caseStart = System.nanoTime();
        // something to sync: a change on the source (the previous case's next sync left both sides equal)
        source.exec(sourceDb, ServiceKilledInEachPhaseTest.CHANGE_ON_THE_SOURCE);
        DbChecksum targetBefore = DbChecksum.of(target, targetDb);

        var hold = debugger.holdAt(point);
        var post = service.postAsync("/api/database/sync", "{\"direction\":\"" + direction + "\",\"force\":true}");
        ThreadReference held;
        try {
            held = hold.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail(what + ": the sync never reached that point; POST " + (post.isDone() ? post.join().body() : "pending")
                    + "; log " + service.log());
            return debugger;
        }
        // validating holds the POST (validation answers it): the id is what /current says; later, the 202's
        String syncId = post.isDone() || point != KILL_POINTS.get(0)
                ? JSON.readTree(post.get(60, TimeUnit.SECONDS).body()).get("sync_id").asText()
                : JSON.readTree(service.get("/api/database/sync/current").body()).get("sync_id").asText();
        List<Integer> deadBackends = new ArrayList<>(backends(clusters.local()));
        deadBackends.addAll(backends(clusters.remote()));
        assertTrue(advisoryLocks(clusters.local()) > 0 && advisoryLocks(clusters.remote()) > 0,
                what + ": the sync held its locks when it was killed");
        service.kill9();
        debugger.close();

        boolean lockHeldAtRestart = point == KILL_POINTS.get(0) && toRemote;
        Connection lockHolder = lockHeldAtRestart ? holdTheLock() : null;
        long restartStart = System.nanoTime();
        service.launch(); // restarted; while it boots, the databases:

        // the target as it was, no lock and no session of the dead process on either server
        assertEquals(targetBefore, DbChecksum.of(target, targetDb), what + ": target checksum-identical to before");
        awaitGone(clusters.local(), deadBackends, what);
        awaitGone(clusters.remote(), deadBackends, what);

        service.awaitReady();
        double restartSeconds = (System.nanoTime() - restartStart) / 1e9;
        if (lockHolder != null) {
            recoveryWaitsForTheLock(service, lockHolder, syncId, what);
        }
        JvmDebugger next = JvmDebugger.attach(service.debugPort());

        // the history: failed (interrupted), answered by GET and /events instead of a 404
        JsonNode row = awaitFinal(service, syncId, what);
        assertEquals("failed", row.get("status").asText(), what + ": " + row);
        assertTrue(row.get("error").asText().startsWith("interrupted"), what + ": " + row);
        assertTrue(row.get("from_history").asBoolean(), what + ": " + row);
        List<SseClient.Event> events = SseClient.read(SseClient.open(service.url("/api/database/sync/" + syncId + "/events"),
                ServiceProcess.KEY), 10);
        assertEquals(1, events.size(), what + ": " + events);
        assertEquals("failed", events.get(0).name(), what + ": " + events);
        assertEquals(syncId, events.get(0).data().get("sync_id").asText(), what);

        // the disk: no work directory of any sync, no partial or orphaned backup file
        assertNoLeftovers(service, what);

        // the next sync works
        JsonNode done = syncAndFollow(service, direction);
        assertEquals("completed", done.get("status").asText(), what + ": the next sync: " + done);
        assertEquals(DbChecksum.of(source, sourceDb).only(TABLES), DbChecksum.of(target, targetDb).only(TABLES), what);
        outcomes.add(what + " → " + row.get("status").asText() + " (" + row.get("error").asText().replaceAll("\\(\\d+@[^)]*\\)", "(pid@host)")
                + "); target unchanged; next sync " + done.get("status").asText()
                + String.format(" (case %.1f s, of it the restart %.1f s)", (System.nanoTime() - caseStart) / 1e9, restartSeconds));
        return next;
    }

    /**
     * Killed after COMMIT, before the end was reported: the sync did complete. The restarted service asks the
     * target (which records the sync in the load transaction) and says so instead of "failed"; the target holds
     * the source's rows and the next sync finds nothing to write.
     */
    private JvmDebugger killedAfterCommit(ServiceProcess service, JvmDebugger debugger, List<String> outcomes) throws Exception {
        String what = "killed after COMMIT, local-to-remote";
        clusters.local().exec(LOCAL_DB, CHANGE_ON_THE_SOURCE);
        var hold = debugger.holdAt(JvmDebugger.Point.entering("dev.archon.sync.engine.SyncEngine", "report"));
        var post = service.postAsync("/api/database/sync", "{\"direction\":\"local-to-remote\",\"force\":true}");
        hold.get(120, TimeUnit.SECONDS);
        String syncId = JSON.readTree(post.get(60, TimeUnit.SECONDS).body()).get("sync_id").asText();
        service.kill9();
        debugger.close();
        service.launch();
        service.awaitReady();
        JvmDebugger next = JvmDebugger.attach(service.debugPort());
        assertEquals(DbChecksum.of(clusters.local(), LOCAL_DB).only(TABLES), DbChecksum.of(clusters.remote(), REMOTE_DB).only(TABLES),
                what + ": the COMMIT went through");
        JsonNode row = awaitFinal(service, syncId, what);
        assertEquals("completed", row.get("status").asText(), what + ": " + row);
        assertTrue(row.get("message").asText().contains("the target committed it"), what + ": " + row);
        assertNoLeftovers(service, what);
        JsonNode done = syncAndFollow(service, "local-to-remote");
        assertEquals("completed", done.get("status").asText(), what + ": the next sync: " + done);
        assertTrue(done.get("message").asText().contains("othing"), what + ": the next sync has nothing to write: " + done);
        outcomes.add(what + " → " + row.get("status").asText() + " (" + row.get("message").asText() + "); next sync: "
                + done.get("message").asText());
        return next;
    }

    /**
     * A dead instance's session can hold the advisory lock past the restart (a backend busy in a statement
     * notices its client is gone only when the statement ends): here another session holds it while the
     * service starts. Recovery must not give up: the row stays running while the lock is held and is marked
     * failed once it is released.
     */
    private Connection holdTheLock() throws SQLException {
        Connection holder = clusters.local().connect(LOCAL_DB);
        holder.createStatement().execute("SELECT pg_advisory_lock(" + dev.archon.sync.engine.session.SyncLockKey.KEY + ")");
        return holder;
    }

    private static void recoveryWaitsForTheLock(ServiceProcess service, Connection holder, String syncId, String what)
            throws Exception {
        try (holder) {
            Thread.sleep(1000); // start-up recovery has run by now and found the lock held
            JsonNode meanwhile = JSON.readTree(service.get("/api/database/sync/" + syncId).body());
            assertEquals("running", meanwhile.get("status").asText(), what + ": nothing marked while the lock is held: " + meanwhile);
        } // released: the next retry marks it (awaitFinal below waits for that, bounded)
    }

    static JsonNode awaitFinal(ServiceProcess service, String syncId, String what) throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = service.get("/api/database/sync/" + syncId);
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                JsonNode n = JSON.readTree(r.body());
                if (!n.get("status").asText().equals("running")) {
                    return n;
                }
            }
            Thread.sleep(200);
        }
        fail(what + ": GET /api/database/sync/" + syncId + " never answered a final state: " + last);
        return null;
    }

    /** POST a forced sync, then follow its event stream to the final event. */
    static JsonNode syncAndFollow(ServiceProcess service, String direction) throws Exception {
        HttpResponse<String> started = service.post("/api/database/sync", "{\"direction\":\"" + direction + "\",\"force\":true}");
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).get("sync_id").asText();
        List<SseClient.Event> events = SseClient.read(SseClient.open(service.url("/api/database/sync/" + id + "/events"),
                ServiceProcess.KEY), 100_000);
        return events.get(events.size() - 1).data();
    }

    static List<Integer> backends(PgCluster c) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (Connection conn = c.connect("postgres"); ResultSet rs = conn.createStatement().executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
                        + "AND datname IN ('" + LOCAL_DB + "', '" + REMOTE_DB + "')")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    static int advisoryLocks(PgCluster c) throws SQLException {
        return advisoryLocks(c, null);
    }

    /** Advisory locks held by these backends (null: by anyone). */
    static int advisoryLocks(PgCluster c, List<Integer> heldBy) throws SQLException {
        String only = heldBy == null ? "" : heldBy.isEmpty() ? " AND false"
                : " AND pid IN (" + String.join(",", heldBy.stream().map(String::valueOf).toList()) + ")";
        try (Connection conn = c.connect("postgres"); ResultSet rs = conn.createStatement().executeQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'" + only)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The server ends a dead client's sessions on its own: wait for it, bounded. */
    static void awaitGone(PgCluster c, List<Integer> deadBackends, String what) throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        List<Integer> left;
        int locks;
        do {
            left = new ArrayList<>(backends(c)); // every client backend of the test databases now
            left.retainAll(deadBackends);
            locks = advisoryLocks(c, deadBackends);
            if (left.isEmpty() && locks == 0) {
                return;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        fail(what + ": on " + c.name() + " after " + SETTLE_MILLIS / 1000 + " s: backends of the dead process " + left
                + ", advisory locks they hold " + locks);
    }

    static void assertNoLeftovers(ServiceProcess service, String what) throws Exception {
        if (Files.isDirectory(service.workDir())) {
            try (Stream<Path> s = Files.list(service.workDir())) {
                List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sync-")).toList();
                assertEquals(List.of(), left, what + ": work files left");
            }
        }
        if (Files.isDirectory(service.backupDir())) {
            try (Stream<Path> s = Files.list(service.backupDir())) {
                List<String> names = s.map(p -> p.getFileName().toString()).toList();
                assertEquals(List.of(), names.stream().filter(n -> n.endsWith(".partial")).toList(), what + ": partial backup files left");
                for (String n : names.stream().filter(n -> n.endsWith(".dump") || n.endsWith(".tables")).toList()) {
                    assertTrue(names.contains(n.replaceFirst("\\.(dump|tables)$", ".json")), what + ": a backup without its manifest: " + n);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
