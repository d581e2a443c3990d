package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Request bodies read strictly, sync ids that outlive a restart, and a history that does not grow forever. */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class HostileRequestTest {
    static final String KEY = SyncApiTest.KEY;
    final TestClusters clusters = TestClusters.get();

    @Inject
    SyncHistory history;

    private static void bad(String body, String... mentions) {
        var r = given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync")
                .then().statusCode(400).contentType("application/problem+json");
        for (String m : mentions) {
            r.body("detail", containsString(m));
        }
    }

    @Test
    void noCoercionNoDuplicatesNoTrailingJunkAndEveryRefusalSaysWhy() {
        bad("{\"direction\":\"remote-to-local\",\"force\":1}", "force", "true or false");
        bad("{\"direction\":\"remote-to-local\",\"force\":\"true\"}", "force", "true or false");
        bad("{\"direction\":\"remote-to-local\",\"force\":0.0}", "force");
        bad("{\"direction\":\"remote-to-local\",\"force\":[true]}", "force");
        bad("{\"direction\":\"remote-to-local\",\"force\":{}}", "force");
        bad("{\"direction\":\"remote-to-local\",\"backup\":\"no\"}", "backup");
        bad("{\"direction\":\"remote-to-local\",\"dry_run\":\"yes\"}", "dry_run");
        bad("{\"direction\":1}", "direction", "string");
        bad("{\"direction\":\"remote-to-local\",\"force\":false,\"force\":true}", "force", "more than once");
        bad("{\"direction\":\"remote-to-local\"} {\"force\":true}", "follows");
        bad("{\"direction\":\"remote-to-local\"} junk", "follows");
        bad("{\"direction\":", "ends");
        bad("{\"direction\":\"remote-to-local\"", "ends");
        bad("[\"remote-to-local\"]");
        bad("\"remote-to-local\"");
        bad("{\"direction\":\"remote-to-local\",}");
        bad("{'direction':'remote-to-local'}");
        // a value of the wrong type is never quoted back (it may be something pasted by mistake)
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":\"local-to-remote\",\"force\":\"Hunter2-S3cret\"}")
                .post("/api/database/sync").then().statusCode(400).body(not(containsString("Hunter2-S3cret")));
    }

    @Test
    void aSyncIdStaysResolvableFromTheHistoryAfterARestart() {
        history.flush();
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        history.open(dev.archon.sync.pg.PgUri.parse(clusters.local().url("app_local")));
        String ghost = UUID.randomUUID().toString();
        clusters.local().exec("app_local", "INSERT INTO archon_sync.archon_sync_history (sync_id, direction, trigger, status, phase, "
                + "instance, started_at, finished_at, error) VALUES ('" + ghost + "', 'remote-to-local', 'cli', 'failed', 'importing', "
                + "'4242@dead-pod', now() - interval '1 minute', now(), 'interrupted: the service instance that ran it stopped')");
        given().header("X-API-Key", KEY).get("/api/database/sync/" + ghost).then().statusCode(200)
                .body("sync_id", equalTo(ghost)).body("status", equalTo("failed")).body("phase", equalTo("importing"))
                .body("error", containsString("interrupted")).body("from_history", equalTo(true));
        String events = given().header("X-API-Key", KEY).get("/api/database/sync/" + ghost + "/events").then().statusCode(200)
                .extract().asString();
        assertEquals(1, events.split("event:", -1).length - 1, events);
        org.junit.jupiter.api.Assertions.assertTrue(events.contains("event:failed") || events.contains("event: failed"), events);
        org.junit.jupiter.api.Assertions.assertTrue(events.contains("interrupted"), events);
        given().header("X-API-Key", KEY).get("/api/database/sync/" + UUID.randomUUID()).then().statusCode(404);
        given().header("X-API-Key", KEY).get("/api/database/sync/" + UUID.randomUUID() + "/events").then().statusCode(404);
    }

    @Test
    void finishedHistoryRowsOlderThanTheRetentionAreDeleted() {
        history.flush();
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        history.open(dev.archon.sync.pg.PgUri.parse(clusters.local().url("app_local")));
        String old = UUID.randomUUID().toString();
        String oldRunning = UUID.randomUUID().toString();
        String recent = UUID.randomUUID().toString();
        clusters.local().exec("app_local", "INSERT INTO archon_sync.archon_sync_history (sync_id, direction, trigger, status, phase, "
                + "instance, started_at, finished_at) VALUES "
                + "('" + old + "', 'local-to-remote', 'manual', 'refused', 'validating', 'x', now() - interval '91 days', now() - interval '91 days'),"
                + "('" + oldRunning + "', 'local-to-remote', 'manual', 'running', 'importing', 'x', now() - interval '91 days', null),"
                + "('" + recent + "', 'local-to-remote', 'manual', 'completed', 'completed', 'x', now() - interval '89 days', now() - interval '89 days')");
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":\"local-to-remote\",\"dry_run\":true}")
                .post("/api/database/sync").then().statusCode(200);
        history.flush();
        String ids = given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=50").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(ids.contains(old), "a 91-day-old refusal is gone (default 90 days)");
        org.junit.jupiter.api.Assertions.assertTrue(ids.contains(oldRunning), "a running row is never deleted");
        org.junit.jupiter.api.Assertions.assertTrue(ids.contains(recent));
    }
}
