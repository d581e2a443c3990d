package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.archon.sync.config.ArchonTables;
import dev.archon.sync.engine.session.SyncLockKey;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The dashboard's view: a whole sync of ≥ 20k embedding rows read from the event stream. */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class SyncEventsTest {
    static final String KEY = SyncApiTest.KEY;
    static final List<String> PHASES = List.of("validating", "backing_up", "exporting", "importing", "indexing", "verifying", "completed");
    final TestClusters clusters = TestClusters.get();

    @TestHTTPResource
    URL base;

    @Inject
    SyncHistory history;

    @Test
    void streamShowsEveryPhaseInOrderAndEndsWithTheFinalState() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_big");
        String id = start("remote-to-local");
        String url = base + "api/database/sync/" + id + "/events";
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // two full subscribers, and one that leaves after three events
            CompletableFuture<List<SseClient.Event>> a = CompletableFuture.supplyAsync(() -> readAll(url, Integer.MAX_VALUE), pool);
            CompletableFuture<List<SseClient.Event>> b = CompletableFuture.supplyAsync(() -> readAll(url, Integer.MAX_VALUE), pool);
            CompletableFuture<List<SseClient.Event>> quitter = CompletableFuture.supplyAsync(() -> readAll(url, 3), pool);
            List<SseClient.Event> events = a.get();
            List<SseClient.Event> other = b.get();
            assertEquals(3, quitter.get().size());

            SseClient.Event last = events.get(events.size() - 1);
            assertEquals("completed", last.name());
            for (SseClient.Event e : events.subList(0, events.size() - 1)) {
                assertEquals("progress", e.name());
                // the facts a client decides by (issue 23): every event says whether it is a dry run; no outcome yet
                assertTrue(e.data().has("dry_run") && !e.data().get("dry_run").asBoolean(), "dry_run on " + e.data());
                assertTrue(!e.data().has("outcome"), "no outcome while running: " + e.data());
            }
            assertEquals("completed", last.data().get("outcome").asText());
            assertEquals(false, last.data().get("dry_run").asBoolean());
            // phases in order (each one seen once, as one run, never a phase out of PHASES), percent monotone to 100
            List<String> phasesSeen = new ArrayList<>();
            double percent = -1;
            Set<Long> crawledRows = new LinkedHashSet<>();
            long crawledTotal = 0;
            for (SseClient.Event e : events) {
                String phase = e.data().get("phase").asText();
                assertTrue(PHASES.contains(phase), "unknown phase at " + e.data());
                if (phasesSeen.isEmpty() || !phasesSeen.get(phasesSeen.size() - 1).equals(phase)) {
                    phasesSeen.add(phase);
                }
                double pc = e.data().get("percent_complete").asDouble();
                assertTrue(pc >= percent, "percent went backwards at " + e.data());
                percent = pc;
                if ("archon_crawled_pages".equals(e.data().path("current_table").asText()) && "importing".equals(phase)) {
                    crawledRows.add(e.data().get("rows_synced").asLong());
                }
                crawledTotal = e.data().get("total_rows").asLong();
            }
            // the stream samples every 200 ms, so a phase shorter than that may pass unseen; the ones seen must
            // be PHASES in its order, and the long ones (importing ≥ 20k rows, indexing them) are always seen
            List<String> expectedOrder = PHASES.stream().filter(phasesSeen::contains).toList();
            assertEquals(expectedOrder, phasesSeen, "phases seen, in the order seen");
            assertTrue(phasesSeen.containsAll(List.of("importing", "indexing", "completed")), phasesSeen::toString);
            // and the final report accounts for every phase this sync passed (no backup: backing_up skipped)
            List<String> passed = new ArrayList<>();
            last.data().path("report").path("phase_seconds").fieldNames().forEachRemaining(passed::add);
            assertEquals(List.of("validating", "exporting", "importing", "indexing", "verifying"), passed);
            assertEquals(100.0, percent);
            assertTrue(crawledRows.size() >= 3, "rows_synced moved while archon_crawled_pages loaded: " + crawledRows);
            assertTrue(crawledRows.stream().anyMatch(r -> r > 0), "intermediate values: " + crawledRows);
            assertTrue(events.stream().anyMatch(e -> e.data().get("message").asText().matches(
                    "Syncing archon_crawled_pages: [0-9,]+ / [0-9,]+ rows \\(\\d+%\\)")), "row-level message");
            // the final event is what GET says, and every subscriber saw the same end
            JsonNode fin = last.data();
            Response get = given().header("X-API-Key", KEY).get("/api/database/sync/" + id);
            assertEquals(get.path("status"), fin.get("status").asText());
            assertEquals(((Number) get.path("rows_synced")).longValue(), fin.get("rows_synced").asLong());
            assertEquals(((Number) get.path("total_rows")).longValue(), crawledTotal);
            assertEquals(get.path("phase"), fin.get("phase").asText());
            assertEquals(fin, other.get(other.size() - 1).data());
            // the early leaver disturbed nothing
            List<String> synced = List.of(ArchonTables.DEFAULT_CSV.split(","));
            assertEquals(DbChecksum.of(clusters.remote(), "app_remote").only(synced),
                    DbChecksum.of(clusters.local(), "app_local").only(synced));

            // a late subscriber gets the final state at once and the stream ends
            List<SseClient.Event> late = readAll(url, Integer.MAX_VALUE);
            assertEquals(1, late.size());
            assertEquals("completed", late.get(0).name());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eventStreamAcceptsAShortLivedTokenButNotNothing() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        String id = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"remote-to-local\",\"dry_run\":true}").post("/api/database/sync")
                .then().statusCode(200).extract().path("sync_id");
        assertEquals(401, SseClient.open(base + "api/database/sync/" + id + "/events", null).statusCode());
        String token = given().header("X-API-Key", KEY).post("/api/database/sync/" + id + "/events/token")
                .then().statusCode(200).extract().path("token");
        HttpResponse<InputStream> r = SseClient.open(base + "api/database/sync/" + id + "/events?token=" + token, null);
        assertEquals(200, r.statusCode());
        List<SseClient.Event> events = SseClient.read(r, 10);
        assertEquals("completed", events.get(events.size() - 1).name());
        JsonNode planned = events.get(events.size() - 1).data();
        assertEquals(true, planned.get("dry_run").asBoolean(), planned::toString);
        assertEquals("planned", planned.get("outcome").asText(), planned::toString);
        assertEquals(401, SseClient.open(base + "api/database/sync/other-id/events?token=" + token, null).statusCode(),
                "a token is for one sync only");
    }

    @Test
    void concurrentStartsGetExactlyOne202() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_big");
        // a reader holds a target table: the winner validates, then waits for its ACCESS EXCLUSIVE lock (and so
        // is certainly still running when the sixth POST comes), until the reader lets go
        Connection held = clusters.local().connect("app_local");
        held.setAutoCommit(false);
        try (Statement st = held.createStatement()) {
            st.execute("LOCK TABLE archon_settings IN ACCESS SHARE MODE");
        }
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<CompletableFuture<Response>> posts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posts.add(CompletableFuture.supplyAsync(() -> given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                    .body("{\"direction\":\"remote-to-local\"}").post("/api/database/sync"), pool));
        }
        List<Integer> codes = new ArrayList<>();
        String winner = null;
        for (CompletableFuture<Response> f : posts) {
            Response r = f.get();
            codes.add(r.statusCode());
            if (r.statusCode() == 202) {
                winner = r.path("sync_id");
            }
        }
        pool.shutdownNow();
        assertEquals(1, codes.stream().filter(c -> c == 202).count(), codes::toString);
        assertEquals(4, codes.stream().filter(c -> c == 409).count(), codes::toString);
        // while the winner still runs, any further start is a 409 naming it
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":\"remote-to-local\"}")
                .post("/api/database/sync").then().statusCode(409).body("sync_id", equalTo(winner));
        held.rollback(); // the winner may take its table locks now
        held.close();
        SyncApiTest.awaitFinal(winner).then().body("status", equalTo("completed"));
    }

    @Test
    void aConflictLeavesNoHistoryRowWhereverTheOtherSyncRuns() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        String body = "{\"direction\":\"remote-to-local\",\"backup\":false}";
        // another instance's sync: it holds the advisory lock on the remote database
        try (Connection otherInstance = clusters.remote().connect("app_remote")) {
            Sql.queryString(otherInstance, "SELECT pg_advisory_lock(?)::text", SyncLockKey.KEY);
            given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync")
                    .then().statusCode(409);
        }
        history.flush();
        assertEquals(0, historyRows(), "a conflict with another instance leaves no row");
        // a sync of this instance, held at its table locks by a reader, and a second start meanwhile
        Connection held = clusters.local().connect("app_local");
        held.setAutoCommit(false);
        try (Statement st = held.createStatement()) {
            st.execute("LOCK TABLE archon_settings IN ACCESS SHARE MODE");
        }
        String running = given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync")
                .then().statusCode(202).extract().path("sync_id");
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync")
                .then().statusCode(409).body("sync_id", equalTo(running));
        held.rollback();
        held.close();
        SyncApiTest.awaitFinal(running).then().body("status", equalTo("completed"));
        history.flush();
        assertEquals(1, historyRows(), "only the sync that ran has a row: the conflict in this instance left none either");
    }

    private long historyRows() throws Exception {
        try (Connection c = clusters.local().connect("app_local")) {
            if (Sql.queryString(c, "SELECT coalesce(to_regclass('archon_sync.archon_sync_history')::text, '')").isEmpty()) {
                return 0;
            }
            return Sql.queryLong(c, "SELECT count(*) FROM archon_sync.archon_sync_history");
        }
    }

    private String start(String direction) {
        return given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"" + direction + "\",\"backup\":false}").post("/api/database/sync")
                .then().statusCode(202).extract().path("sync_id");
    }

    private static List<SseClient.Event> readAll(String url, int max) {
        try {
            HttpResponse<InputStream> r = SseClient.open(url, KEY);
            assertEquals(200, r.statusCode());
            return SseClient.read(r, max);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
