package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: 120 concurrent comparisons while a sync held the tables left 97 hanging and both clusters
 * refusing every connection. Now: while this instance syncs, each answers 409 at once (no session); while
 * another holder locks a table, each gives up on the lock (503) or is turned away (429); the sessions
 * never exceed the cap, and the sync completes.
 */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class BoundedCompareTest {
    static final String KEY = SyncApiTest.KEY;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final TestClusters clusters = TestClusters.get();

    /** 120 comparisons at once; status → how many; fails if any does not answer within a minute. */
    private Map<Integer, Integer> storm(AtomicInteger peakSessions) throws Exception {
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            try (Connection c = clusters.remote().connect("app_remote")) {
                while (watching.get()) {
                    try (ResultSet rs = c.createStatement().executeQuery(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'archon-db-sync compare'")) {
                        rs.next();
                        peakSessions.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        watcher.start();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/api/database/compare"))
                    .header("X-API-Key", KEY).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (var call : calls) {
            statuses.merge(call.join().statusCode(), 1, Integer::sum);
        }
        watching.set(false);
        watcher.join();
        return statuses;
    }

    @Test
    void comparisonsNeverQueueBehindASyncNorExhaustConnections() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        // another instance's sync, as the database sees it: a table locked until its COMMIT
        try (Connection other = clusters.remote().connect("app_remote")) {
            other.setAutoCommit(false);
            other.createStatement().execute("LOCK TABLE archon_sources IN ACCESS EXCLUSIVE MODE");
            AtomicInteger peak = new AtomicInteger();
            Map<Integer, Integer> statuses = storm(peak);
            assertEquals(120, statuses.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(statuses.keySet().stream().allMatch(s -> s == 503 || s == 429), statuses::toString);
            assertTrue(peak.get() <= CompareResource.AT_ONCE, "at most " + CompareResource.AT_ONCE + " comparison sessions: " + peak);
            other.rollback();
        }
        given().header("X-API-Key", KEY).get("/api/database/compare").then().statusCode(200);

        // this instance's own sync, waiting in its load on a reader of the local database
        clusters.local().exec("app_local", "UPDATE archon_settings SET value = coalesce(value, '') || ' (local)'");
        try (Connection reader = clusters.remote().connect("app_remote")) {
            reader.setAutoCommit(false);
            reader.createStatement().execute("LOCK TABLE archon_settings IN ACCESS SHARE MODE");
            String id = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                    .body("{\"direction\":\"local-to-remote\",\"backup\":false}").post("/api/database/sync")
                    .then().statusCode(202).extract().path("sync_id");
            AtomicInteger peak = new AtomicInteger();
            Map<Integer, Integer> statuses = storm(peak);
            assertEquals(Map.of(409, 120), statuses, "each names the running sync at once");
            assertEquals(0, peak.get(), "and opens no session");
            given().header("X-API-Key", KEY).get("/api/database/compare").then().statusCode(409).body("sync_id", equalTo(id));
            reader.rollback();
            assertEquals("completed", SyncApiTest.awaitFinal(id).path("status"));
        }
        given().header("X-API-Key", KEY).get("/api/database/compare").then().statusCode(200);
    }
}
