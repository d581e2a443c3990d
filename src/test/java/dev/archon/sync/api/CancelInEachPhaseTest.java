package dev.archon.sync.api;

import static dev.archon.sync.api.ServiceKilledInEachPhaseTest.JSON;
import static dev.archon.sync.api.ServiceKilledInEachPhaseTest.LOCAL_DB;
import static dev.archon.sync.api.ServiceKilledInEachPhaseTest.REMOTE_DB;
import static dev.archon.sync.api.ServiceKilledInEachPhaseTest.TABLES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.jdi.ThreadReference;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 8: a cancel (POST /api/database/sync/{id}/cancel, as the page and the CLI send it) in each phase of
 * a sync with a pre-sync backup, both directions, against the packaged service in its own process. The
 * sync's thread is held at the start of the phase ({@link JvmDebugger}) while the cancel arrives, so it
 * lands in that phase and nowhere else. Each case: cancelled in that phase, the target checksum-identical
 * to before, the history row says cancelled, no work or partial backup files, and the next sync works.
 * (CancelTest cancels the engine directly in exporting, importing and indexing.)
 */
@Tag("faults")
class CancelInEachPhaseTest {
    record Moment(String phase, JvmDebugger.Point point, boolean bothDirections) {
    }

    static final List<Moment> MOMENTS = List.of(
            // validating (the page finds the id through /current): connected, locked, fingerprints next
            new Moment("validating", JvmDebugger.Point.entering("dev.archon.sync.engine.plan.Fingerprints", "take"), true),
            new Moment("backing_up", JvmDebugger.Point.phaseStarted("BACKING_UP"), true),
            // CancelTest covers these three remote-to-local (without a backup): here the other direction
            new Moment("exporting", JvmDebugger.Point.phaseStarted("EXPORTING"), false),
            new Moment("importing", JvmDebugger.Point.phaseStarted("IMPORTING"), false),
            new Moment("indexing", JvmDebugger.Point.phaseStarted("INDEXING"), false),
            new Moment("verifying", JvmDebugger.Point.phaseStarted("VERIFYING"), true));

    final TestClusters clusters = TestClusters.get();

    @Test
    void cancelledInEachPhaseLeavesTheTargetAsItWasAndTheNextSyncWorks() throws Exception {
        // Archon's schema with few rows: the cases are about the process, the locks and the transaction, and the
        // CI budget pays for two syncs per case (tpl_small made each case about twice as long)
        clusters.reset(clusters.local(), LOCAL_DB, TestClusters.SCHEMA);
        clusters.reset(clusters.remote(), REMOTE_DB, TestClusters.SCHEMA);
        Path home = Path.of(System.getProperty("user.dir"), "target", "service-cancel");
        ServiceKilledInEachPhaseTest.deleteTree(home);
        List<String> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ServiceProcess service = new ServiceProcess(home, clusters.local().url(LOCAL_DB), clusters.remote().url(REMOTE_DB))) {
            service.start();
            try (JvmDebugger debugger = JvmDebugger.attach(service.debugPort())) {
                for (Moment m : MOMENTS) {
                    for (String direction : m.bothDirections() ? List.of("local-to-remote", "remote-to-local") : List.of("local-to-remote")) {
                        outcomes.add(cancelIn(service, debugger, m, direction));
                    }
                }
            }
        }
        outcomes.forEach(o -> System.out.println("[cancel-each-phase] " + o));
        System.out.printf("[cancel-each-phase] %d cases in %.1f s%n", outcomes.size(), (System.nanoTime() - t0) / 1e9);
    }

    private String cancelIn(ServiceProcess service, JvmDebugger debugger, Moment m, String direction) throws Exception {
        boolean toRemote = direction.equals("local-to-remote");
        PgCluster source = toRemote ? clusters.local() : clusters.remote();
        PgCluster target = toRemote ? clusters.remote() : clusters.local();
        String sourceDb = toRemote ? LOCAL_DB : REMOTE_DB;
        String targetDb = toRemote ? REMOTE_DB : LOCAL_DB;
        String what = "cancel in " + m.phase() + ", " + direction;
        long caseStart = System.nanoTime();
        source.exec(sourceDb, ServiceKilledInEachPhaseTest.CHANGE_ON_THE_SOURCE);
        DbChecksum targetBefore = DbChecksum.of(target, targetDb);

        var hold = debugger.holdAt(m.point());
        var post = service.postAsync("/api/database/sync", "{\"direction\":\"" + direction + "\",\"force\":true}");
        ThreadReference held;
        try {
            held = hold.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail(what + ": the sync never reached that point; log " + service.log());
            return null;
        }
        String id = m.phase().equals("validating")
                ? JSON.readTree(service.get("/api/database/sync/current").body()).get("sync_id").asText()
                : JSON.readTree(post.get(60, TimeUnit.SECONDS).body()).get("sync_id").asText();
        HttpResponse<String> cancel = service.post("/api/database/sync/" + id + "/cancel", "");
        assertEquals(202, cancel.statusCode(), what + ": " + cancel.body());
        debugger.resume(held);

        JsonNode end = awaitFinal(service, id);
        assertEquals("cancelled", end.get("status").asText(), what + ": " + end);
        assertEquals(m.phase(), end.get("phase").asText(), what + ": cancelled in that phase: " + end);
        assertEquals(targetBefore, DbChecksum.of(target, targetDb), what + ": target checksum-identical to before");
        JsonNode row = historyRow(service, id, "cancelled");
        ServiceKilledInEachPhaseTest.assertNoLeftovers(service, what);

        JsonNode done = ServiceKilledInEachPhaseTest.syncAndFollow(service, direction);
        assertEquals("completed", done.get("status").asText(), what + ": the next sync: " + done);
        assertEquals(DbChecksum.of(source, sourceDb).only(TABLES), DbChecksum.of(target, targetDb).only(TABLES), what);
        return what + " → " + end.get("status").asText() + " in " + end.get("phase").asText() + " (history: " + row.get("status").asText()
                + "); target unchanged; next sync " + done.get("status").asText()
                + String.format(" (case %.1f s)", (System.nanoTime() - caseStart) / 1e9);
    }

    private static JsonNode awaitFinal(ServiceProcess service, String id) throws Exception {
        List<SseClient.Event> events = SseClient.read(SseClient.open(service.url("/api/database/sync/" + id + "/events"),
                ServiceProcess.KEY), 100_000);
        return events.get(events.size() - 1).data();
    }

    /** The history is written in the background: wait (bounded) for the row's final status. */
    private static JsonNode historyRow(ServiceProcess service, String id, String status) throws Exception {
        long deadline = System.currentTimeMillis() + ServiceKilledInEachPhaseTest.SETTLE_MILLIS;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            for (JsonNode r : JSON.readTree(service.get("/api/database/sync/history?limit=5").body())) {
                if (r.get("sync_id").asText().equals(id)) {
                    last = r;
                    if (r.get("status").asText().equals(status)) {
                        return r;
                    }
                }
            }
            Thread.sleep(200);
        }
        fail("history row of " + id + " never said " + status + ": " + last);
        return null;
    }
}
