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
                .body("total_tables", equalTo(17))
                .body("dry_run", equalTo(false))
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("outcome")));
        String id = accepted.path("sync_id");
        Response done = awaitFinal(id);
        done.then().body("status", equalTo("completed")).body("percent_complete", equalTo(100.0f))
                .body("phase", equalTo("completed")).body("tables_completed", equalTo(17))
                .body("dry_run", equalTo(false)).body("outcome", equalTo("completed"));
        DbChecksum local = DbChecksum.of(clusters.local(), "app_local");
        DbChecksum remote = DbChecksum.of(clusters.remote(), "app_remote");
        List<String> synced = List.of(dev.archon.sync.config.ArchonTables.DEFAULT_CSV.split(","));
        assertEquals(local.only(synced), remote.only(synced));
    }

    @Test
    void backupsAreListedAndRestoredThroughTheApi() {
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        String id = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"force\":true}").post("/api/database/sync")
                .then().statusCode(202).extract().path("sync_id");
        awaitFinal(id).then().body("status", equalTo("completed")).body("report.phase_seconds.backing_up", notNullValue());
        Response list = given().header("X-API-Key", KEY).get("/api/database/backups");
        list.then().statusCode(200).body("[0].database", equalTo("remote")).body("[0].sync_id", equalTo(id))
                .body("[0].tables.archon_sources", notNullValue());
        String backup = list.path("[0].id");
        given().header("X-API-Key", KEY).post("/api/database/backups/no-such-backup/restore").then().statusCode(404)
                .contentType("application/problem+json");
        // the remote now holds rows the backup lacks: a restore must be confirmed (and takes a safety backup first)
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"force\":1}")
                .post("/api/database/backups/" + backup + "/restore").then().statusCode(400).body("detail", containsString("force"));
        String restore = given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"force\":true}")
                .post("/api/database/backups/" + backup + "/restore")
                .then().statusCode(202).body("operation", equalTo("restore")).body("backup_id", equalTo(backup))
                .extract().path("sync_id");
        awaitFinal(restore).then().body("status", equalTo("completed")).body("outcome", equalTo("completed"));
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"), "the remote is back to its pre-sync state");
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
                .body("sync.status", equalTo("refused"))
                .body("sync.outcome", equalTo("refused")).body("sync.dry_run", equalTo(false));
        String id = r.path("sync_id");
        given().header("X-API-Key", KEY).get("/api/database/sync/" + id).then().statusCode(200)
                .body("status", equalTo("refused")).body("outcome", equalTo("refused")).body("error", containsString("would be lost"));
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
    void apiKeyIsRequiredOnEveryApiRouteAndHealthIsOpen() {
        String[][] routes = {
            {"POST", "/api/database/sync"}, {"GET", "/api/database/sync/x"}, {"GET", "/api/database/sync/x/events"},
            {"POST", "/api/database/sync/x/cancel"}, {"POST", "/api/database/sync/x/events/token"},
            {"GET", "/api/database/sync/history"}, {"GET", "/api/database/compare"},
            {"GET", "/api/database/backups"}, {"POST", "/api/database/backups/x/restore"}};
        for (String[] r : routes) {
            for (String key : new String[] {null, "wrong", ""}) {
                var req = given().contentType(ContentType.JSON).body("{\"direction\":\"local-to-remote\"}");
                if (key != null) {
                    req.header("X-API-Key", key);
                }
                req.request(r[0], r[1]).then().statusCode(401).contentType("application/problem+json");
            }
        }
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/database/sync/{id}/events"))
                .body(containsString("/api/database/compare")).body(containsString("/api/database/sync/history"));
    }

    @Test
    void dryRunPlansWithoutTouchingAndCompareShowsBothSides() {
        DbChecksum local = DbChecksum.of(clusters.local(), "app_local");
        DbChecksum remote = DbChecksum.of(clusters.remote(), "app_remote");
        given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"dry_run\":true}").post("/api/database/sync")
                .then().statusCode(200).body("status", equalTo("completed"))
                .body("dry_run", equalTo(true)).body("outcome", equalTo("planned"))
                .body("plan.tables.size()", equalTo(17))
                .body("plan.tables[0].table", equalTo("archon_settings"))
                .body("plan.tables.find { it.table == 'archon_crawled_pages' }.format", equalTo("BINARY"))
                .body("plan.tables.find { it.table == 'archon_crawled_pages' }.source_rows", notNullValue())
                .body("message", containsString("Dry run"));
        given().header("X-API-Key", KEY).get("/api/database/compare").then().statusCode(200)
                .body("tables.size()", equalTo(17))
                .body("tables.find { it.table == 'archon_sources' }.remote_rows", equalTo(0))
                .body("tables.find { it.table == 'archon_sources' }.more_on", equalTo("local"))
                .body("local_to_remote", containsString("safe"))
                .body("remote_to_local", containsString("needs force"));
        assertEquals(local, DbChecksum.of(clusters.local(), "app_local"));
        assertEquals(remote, DbChecksum.of(clusters.remote(), "app_remote"));
    }

    /**
     * Issue 14 through the API: the dry run, the progress object, the finished sync and its history row say per
     * table whether it is reloaded and why; a sync with nothing to write says so; "full" replaces every table;
     * "full" is a boolean like every flag.
     */
    @Test
    void everyAnswerSaysWhichTablesAreReloadedAndWhyAndFullReplacesAll() {
        String first = start("{\"direction\":\"local-to-remote\",\"backup\":false}", 202);
        awaitFinal(first).then().body("status", equalTo("completed"))
                .body("decisions.size()", equalTo(17))
                .body("decisions.find { it.table == 'archon_sources' }.reload", equalTo(true))
                .body("decisions.find { it.table == 'archon_sources' }.why", equalTo("differs"))
                .body("report.tables.find { it.table == 'archon_sources' }.why", equalTo("differs"))
                .body("report.tables.find { it.table == 'archon_sources' }.reloaded", equalTo(true));

        // after it, everything is equal: the dry run plans nothing, the sync writes nothing and says so
        given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"dry_run\":true}").post("/api/database/sync")
                .then().statusCode(200)
                .body("plan.tables.findAll { it.reload }.size()", equalTo(0))
                .body("plan.tables.findAll { it.why == 'unchanged' }.size()", equalTo(17))
                .body("decisions.findAll { !it.reload }.size()", equalTo(17))
                .body("dry_run", equalTo(true)).body("outcome", equalTo("planned"))
                .body("message", containsString("every table equals the source, a sync would write nothing"));
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        String none = start("{\"direction\":\"local-to-remote\"}", 202);
        awaitFinal(none).then().body("status", equalTo("completed"))
                .body("outcome", equalTo("nothing_to_do")).body("dry_run", equalTo(false))
                .body("message", containsString("no write transaction was opened on the target"))
                .body("report.phase_seconds.importing", org.hamcrest.Matchers.nullValue())
                .body("report.phase_seconds.backing_up", org.hamcrest.Matchers.nullValue())
                .body("report.tables.findAll { it.format == 'unchanged' && !it.reloaded && it.why == 'unchanged' }.size()", equalTo(17));
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));

        // full: every table, though none differs
        given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"dry_run\":true,\"full\":true}").post("/api/database/sync")
                .then().statusCode(200)
                .body("plan.tables.findAll { it.reload && it.why == 'full replace requested' }.size()", equalTo(17))
                .body("message", containsString("a sync would reload 17 tables (full replace requested)"));
        String full = start("{\"direction\":\"local-to-remote\",\"backup\":false,\"full\":true}", 202);
        awaitFinal(full).then().body("status", equalTo("completed")).body("outcome", equalTo("completed"))
                .body("decisions.findAll { it.reload && it.why == 'full replace requested' }.size()", equalTo(17))
                .body("report.tables.findAll { it.reloaded && it.why == 'full replace requested' }.size()", equalTo(17))
                .body("report.phase_seconds.importing", notNullValue());
        List<String> synced = List.of(dev.archon.sync.config.ArchonTables.DEFAULT_CSV.split(","));
        assertEquals(DbChecksum.of(clusters.local(), "app_local").only(synced), DbChecksum.of(clusters.remote(), "app_remote").only(synced));

        // the history rows keep the decisions and say them in words
        Response history = awaitHistory(full);
        history.then().statusCode(200)
                .body("find { it.sync_id == '" + full + "' }.tables.findAll { it.why == 'full replace requested' }.size()", equalTo(17))
                .body("find { it.sync_id == '" + full + "' }.message", containsString("reloaded: 17 tables (full replace requested)"))
                .body("find { it.sync_id == '" + none + "' }.tables.findAll { it.why == 'unchanged' }.size()", equalTo(17))
                .body("find { it.sync_id == '" + none + "' }.message", containsString("Nothing to sync"));

        // a flag is a JSON boolean: "true" in quotes is refused, naming the field
        given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"full\":\"true\"}").post("/api/database/sync")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("full")).body("detail", containsString("true or false"));
    }

    /** The history is written in the background: the newest rows once the given sync's row is final. */
    private static Response awaitHistory(String syncId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Response r = given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=5");
            if ("completed".equals(r.path("find { it.sync_id == '" + syncId + "' }.status")) || System.nanoTime() > deadline) {
                return r;
            }
            sleep(100);
        }
    }

    private static String start(String body, int status) {
        return given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync")
                .then().statusCode(status).extract().path("sync_id");
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
