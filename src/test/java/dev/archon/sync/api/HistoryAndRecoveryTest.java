package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncStatus;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.schedule.NightlyBackup;
import dev.archon.sync.service.StartupRecovery;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class HistoryAndRecoveryTest {
    static final String KEY = SyncApiTest.KEY;
    final TestClusters clusters = TestClusters.get();

    @Inject
    SyncHistory history;

    @Inject
    StartupRecovery recovery;

    @Inject
    SyncConfig config;

    @Inject
    NightlyBackup nightly;

    @Test
    void everyOutcomeGetsAHistoryRow() {
        history.flush(); // no late write of an earlier test may land in the fresh database
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_schema");
        // completed
        String completed = post("{\"direction\":\"local-to-remote\"}", 202);
        SyncApiTest.awaitFinal(completed);
        // refused: remote → local would empty a local table
        clusters.remote().exec("app_remote", "DELETE FROM archon_prompts");
        String refused = post("{\"direction\":\"remote-to-local\"}", 422);
        // cancelled: cancel right after the start
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        String cancelled = post("{\"direction\":\"local-to-remote\",\"force\":true}", 202);
        given().header("X-API-Key", KEY).post("/api/database/sync/" + cancelled + "/cancel").then().statusCode(202);
        SyncApiTest.awaitFinal(cancelled).then().body("status", equalTo("cancelled"));
        // failed: an orphan row on the source fails verification
        clusters.local().exec("app_local", "SET session_replication_role = replica; INSERT INTO archon_task_history "
                + "(task_id, field_name) VALUES ('00000000-0000-0000-0000-000000000001', 'status')");
        String failed = post("{\"direction\":\"local-to-remote\",\"force\":true}", 202);
        SyncApiTest.awaitFinal(failed).then().body("status", equalTo("failed"));
        // a cancel after the end is refused with the truth
        given().header("X-API-Key", KEY).post("/api/database/sync/" + completed + "/cancel").then().statusCode(409)
                .body("sync.status", equalTo("completed"));

        history.flush();
        Response list = given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=10");
        list.then().statusCode(200);
        List<Map<String, Object>> rows = list.jsonPath().getList("$");
        assertEquals(4, rows.size());
        assertEquals(failed, rows.get(0).get("sync_id"), "newest first");
        Map<String, String> status = new java.util.HashMap<>();
        rows.forEach(r -> status.put((String) r.get("sync_id"), (String) r.get("status")));
        assertEquals(Map.of(completed, "completed", refused, "refused", cancelled, "cancelled", failed, "failed"), status);
        Map<String, Object> done = rows.stream().filter(r -> r.get("sync_id").equals(completed)).findFirst().orElseThrow();
        assertEquals("local-to-remote", done.get("direction"));
        assertEquals("manual", done.get("trigger"));
        assertTrue(((Map<?, ?>) done.get("phase_seconds")).containsKey("importing"), done.toString());
        assertEquals(17, ((List<?>) done.get("tables")).size(), "per-table row counts");
        assertTrue(done.get("requested_by").toString().startsWith("manual from "), done.toString());
        Map<String, Object> fail = rows.get(0);
        assertTrue(fail.get("error").toString().contains("foreign key"), fail.toString());
        assertFalse(fail.get("error").toString().contains(clusters.local().password()), "no secret in history");
        Map<String, Object> ref = rows.stream().filter(r -> r.get("sync_id").equals(refused)).findFirst().orElseThrow();
        assertEquals("data_loss", ((Map<?, ?>) ((List<?>) ref.get("refusals")).get(0)).get("code"));

        given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=-1").then().statusCode(400);
        given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=ten").then().statusCode(400);
    }

    @Test
    void startUpMarksSyncsOfADeadInstanceFailedAndRemovesTheirWorkFiles() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        String ghost = UUID.randomUUID().toString();
        history.open(dev.archon.sync.pg.PgUri.parse(clusters.local().url("app_local")));
        clusters.local().exec("app_local", "INSERT INTO archon_sync.archon_sync_history (sync_id, direction, trigger, status, phase, "
                + "instance, started_at) VALUES ('" + ghost + "', 'remote-to-local', 'scheduled', 'running', 'importing', "
                + "'4242@dead-pod', now() - interval '1 hour')");
        Path stale = Files.createDirectories(Path.of(config.workDir(), "sync-" + ghost));
        Files.writeString(stale.resolve("source-schema.sql"), "-- left behind");

        recovery.onStart(null, config, history);

        Map<String, Object> row = given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=5")
                .jsonPath().getMap("find { it.sync_id == '" + ghost + "' }");
        assertEquals("failed", row.get("status"));
        assertTrue(row.get("error").toString().startsWith("interrupted"), row.toString());
        assertFalse(Files.exists(stale), "stale work files removed");
    }

    @Test
    void theNightlyBackupIsAScheduledUnforcedLocalToRemoteSyncWithABackup() {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_schema");
        SyncJob job = nightly.run().orElseThrow();
        Response done = SyncApiTest.awaitFinal(job.id());
        done.then().body("status", equalTo("completed")).body("trigger", equalTo("scheduled"))
                .body("direction", equalTo("local-to-remote"));
        assertFalse(job.request().force(), "scheduled runs never force");
        assertTrue(job.request().backup());
        // the cloud gained rows the local database lacks: the next night refuses instead of deleting them
        clusters.remote().exec("app_remote", "INSERT INTO archon_prompts (prompt_name, prompt) VALUES ('cloud-only', 'x')");
        SyncJob refused = nightly.run().orElseThrow();
        assertEquals(SyncStatus.REFUSED, refused.status());
        assertEquals("data_loss", refused.snapshot().refusals().get(0).code());
    }

    private static String post(String body, int status) {
        return given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync")
                .then().statusCode(status).extract().path("sync_id");
    }
}
