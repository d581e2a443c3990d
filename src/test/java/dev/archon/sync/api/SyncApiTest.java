package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class SyncApiTest {
    static final String KEY = "test-key";
    final TestClusters clusters = TestClusters.get();

    @BeforeEach
    void freshDatabases() {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_schema");
    }

    @Test
    void syncRunsToCompletionAndIsWatchable() {
        // local has data, remote only the schema: a first cloud backup
        Response accepted = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"backup\":false}")
                .post("/api/database/sync");
        accepted.then().statusCode(202)
                .header("Location", containsString("/api/database/sync/"))
                .body("sync_id", notNullValue())
                .body("status", equalTo("running"))
                .body("direction", equalTo("local-to-remote"))
                .body("total_tables", equalTo(17));
        String id = accepted.path("sync_id");
        Response done = awaitFinal(id);
        done.then().body("status", equalTo("completed")).body("percent_complete", equalTo(100.0f))
                .body("phase", equalTo("completed")).body("tables_completed", equalTo(17));
        DbChecksum local = DbChecksum.of(clusters.local(), "app_local");
        DbChecksum remote = DbChecksum.of(clusters.remote(), "app_remote");
        List<String> synced = List.of(dev.archon.sync.config.ArchonTables.DEFAULT_CSV.split(","));
        assertEquals(local.only(synced), remote.only(synced));
    }

    @Test
    void refusalIs422ProblemJsonAndTheSyncShowsRefused() {
        // remote → local would wipe the local data: the guard says no
        Response r = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"remote-to-local\"}").post("/api/database/sync");
        r.then().statusCode(422).contentType("application/problem+json")
                .body("title", equalTo("Sync refused by preflight"))
                .body("detail", containsString("would be lost"))
                .body("refusals.code", hasItem("data_loss"))
                .body("sync.status", equalTo("refused"));
        String id = r.path("sync_id");
        given().header("X-API-Key", KEY).get("/api/database/sync/" + id).then().statusCode(200)
                .body("status", equalTo("refused")).body("error", containsString("would be lost"));
    }

    @Test
    void badInputSaysWhatToFix() {
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":\"sideways\"}")
                .post("/api/database/sync").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("local-to-remote"));
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{}")
                .post("/api/database/sync").then().statusCode(400).body("detail", containsString("direction"));
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":")
                .post("/api/database/sync").then().statusCode(400).contentType("application/problem+json");
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":\"local-to-remote\",\"force\":\"very\"}")
                .post("/api/database/sync").then().statusCode(400).body("detail", containsString("force"));
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":\"local-to-remote\",\"colour\":1}")
                .post("/api/database/sync").then().statusCode(400).body("detail", containsString("colour"));
        given().header("X-API-Key", KEY).get("/api/database/sync/no-such-id").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void apiKeyIsRequiredAndHealthIsOpen() {
        given().contentType(ContentType.JSON).body("{\"direction\":\"local-to-remote\"}").post("/api/database/sync")
                .then().statusCode(401).contentType("application/problem+json");
        given().header("X-API-Key", "wrong").get("/api/database/sync/x").then().statusCode(401);
        given().get("/api/database/sync/x").then().statusCode(401);
        given().get("/q/health/live").then().statusCode(200);
    }

    static Response awaitFinal(String id) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            Response r = given().header("X-API-Key", KEY).get("/api/database/sync/" + id);
            r.then().statusCode(200);
            if (!"running".equals(r.path("status"))) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sync " + id + " did not finish: " + r.asString());
            }
            sleep(100);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
