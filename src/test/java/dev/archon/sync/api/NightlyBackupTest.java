package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.config.ArchonTables;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncStatus;
import dev.archon.sync.engine.session.SyncLockKey;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.schedule.NightlyBackup;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The nightly backup's outcomes, each as a history row and as GET /api/database/schedule shows it. */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class NightlyBackupTest {
    static final String KEY = SyncApiTest.KEY;
    static final List<String> SYNCED = List.of(ArchonTables.DEFAULT_CSV.split(","));
    final TestClusters clusters = TestClusters.get();

    @Inject
    NightlyBackup nightly;

    @Inject
    SyncHistory history;

    @BeforeEach
    void freshDatabases() {
        history.flush(); // no late write of an earlier test may land in the fresh database
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_schema");
        history.open(PgUri.parse(clusters.local().url("app_local")));
    }

    @Test
    void aScheduledRunThatCompletesIsTheLastAttemptAndTheLastSuccess() {
        Map<String, Object> before = schedule();
        assertEquals(Set.of("enabled", "cron", "time_zone", "next_fire_at", "last_attempt", "last_success_at",
                "last_success_age_seconds"), before.keySet(), "the page codes against exactly these fields");
        assertNull(before.get("last_attempt"));
        assertNull(before.get("last_success_at"));
        assertNull(before.get("last_success_age_seconds"));
        assertEquals(false, before.get("enabled"), "off unless ARCHON_SYNC_SCHEDULE_ENABLED=true");
        assertNull(before.get("next_fire_at"), "a disabled schedule never fires");
        assertEquals("0 0 2 * * ?", before.get("cron"));
        assertEquals(ZoneId.systemDefault().getId(), before.get("time_zone"), "default: the container's zone");

        SyncJob job = nightly.run().orElseThrow();
        SyncApiTest.awaitFinal(job.id()).then().body("status", equalTo("completed")).body("trigger", equalTo("scheduled"));
        assertEquals(DbChecksum.of(clusters.local(), "app_local").only(SYNCED),
                DbChecksum.of(clusters.remote(), "app_remote").only(SYNCED), "the cloud now has the local rows");
        history.flush();

        Map<String, Object> after = schedule();
        Map<?, ?> attempt = (Map<?, ?>) after.get("last_attempt");
        assertEquals(Set.of("sync_id", "status", "started_at", "finished_at", "message"), attempt.keySet());
        assertEquals(job.id(), attempt.get("sync_id"));
        assertEquals("completed", attempt.get("status"));
        Instant finished = Instant.parse((String) attempt.get("finished_at"));
        assertTrue(Instant.parse((String) attempt.get("started_at")).isBefore(finished));
        assertEquals(finished, Instant.parse((String) after.get("last_success_at")), "the last success is this run");
        long age = ((Number) after.get("last_success_age_seconds")).longValue();
        assertTrue(age >= 0 && age <= Duration.between(finished, Instant.now()).toSeconds() + 1, "age " + age);
    }

    @Test
    void aScheduledRunRefusedByTheGuardTouchesNothingAndTheHistorySaysWhy() {
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        // the cloud has rows the local database lacks: a blind backup would delete them
        clusters.remote().exec("app_remote", "INSERT INTO archon_prompts (prompt_name, prompt) VALUES ('cloud-only', 'x')");
        DbChecksum localBefore = DbChecksum.of(clusters.local(), "app_local").only(SYNCED);
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");

        SyncJob job = nightly.run().orElseThrow();
        assertEquals(SyncStatus.REFUSED, job.status());
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"), "the cloud is untouched");
        assertEquals(localBefore, DbChecksum.of(clusters.local(), "app_local").only(SYNCED), "the local rows are untouched");
        history.flush();

        Map<String, Object> row = historyRow(job.id());
        assertEquals("refused", row.get("status"));
        assertEquals("scheduled", row.get("trigger"));
        assertEquals(false, row.get("forced"), "the scheduler never forces");
        assertEquals("data_loss", ((Map<?, ?>) ((List<?>) row.get("refusals")).get(0)).get("code"));
        String why = row.get("error").toString();
        assertTrue(why.contains("archon_prompts: target has "), "per-table numbers: " + why);
        assertTrue(why.contains("would be lost"), why);

        Map<String, Object> s = schedule();
        Map<?, ?> attempt = (Map<?, ?>) s.get("last_attempt");
        assertEquals("refused", attempt.get("status"));
        assertEquals(job.id(), attempt.get("sync_id"));
        assertTrue(attempt.get("message").toString().contains("archon_prompts"), attempt.toString());
        assertNull(s.get("last_success_at"), "a refusal is no success");
        assertNull(s.get("last_success_age_seconds"));
    }

    @Test
    void aScheduledRunWhileAnotherInstanceHoldsTheDatabasesIsSkippedAndNamesIt() throws Exception {
        String other = UUID.randomUUID().toString();
        clusters.local().exec("app_local", "INSERT INTO archon_sync.archon_sync_history (sync_id, direction, trigger, status, phase, "
                + "instance, started_at) VALUES ('" + other + "', 'remote-to-local', 'manual', 'running', 'importing', "
                + "'4242@other-pod', now())");
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        Optional<SyncJob> started;
        try (Connection otherInstance = clusters.local().connect("app_local"); Statement st = otherInstance.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + SyncLockKey.KEY + ")");
            started = nightly.run();
        }
        assertTrue(started.isEmpty(), "nothing started");
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));
        history.flush();

        List<Map<String, Object>> scheduled = historyRows().stream().filter(r -> "scheduled".equals(r.get("trigger"))).toList();
        assertEquals(1, scheduled.size(), "one row for the one attempt: " + scheduled);
        assertEquals("skipped", scheduled.get(0).get("status"));
        assertTrue(scheduled.get(0).get("message").toString().contains(other), scheduled.toString());
        assertNotNull(scheduled.get(0).get("finished_at"));

        Map<?, ?> attempt = (Map<?, ?>) schedule().get("last_attempt");
        assertEquals("skipped", attempt.get("status"));
        assertEquals(scheduled.get(0).get("sync_id"), attempt.get("sync_id"));
        assertTrue(attempt.get("message").toString().contains(other), attempt.toString());
        clusters.local().exec("app_local", "DELETE FROM archon_sync.archon_sync_history WHERE sync_id = '" + other + "'");
    }

    @Test
    void aScheduledRunWhileASyncOfThisInstanceRunsIsSkippedAndNamesIt() throws Exception {
        String manual;
        Optional<SyncJob> started;
        // a reader on the cloud holds a table: the manual sync waits for it inside its load, still running
        try (Connection reader = clusters.remote().connect("app_remote"); Statement st = reader.createStatement()) {
            reader.setAutoCommit(false);
            st.execute("LOCK TABLE archon_settings IN ACCESS SHARE MODE");
            manual = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                    .body("{\"direction\":\"local-to-remote\",\"backup\":false}").post("/api/database/sync")
                    .then().statusCode(202).extract().path("sync_id");
            started = nightly.run();
            reader.rollback();
        }
        assertTrue(started.isEmpty(), "nothing started");
        SyncApiTest.awaitFinal(manual).then().body("status", equalTo("completed"));
        history.flush();

        List<Map<String, Object>> scheduled = historyRows().stream().filter(r -> "scheduled".equals(r.get("trigger"))).toList();
        assertEquals(1, scheduled.size(), scheduled.toString());
        assertEquals("skipped", scheduled.get(0).get("status"));
        assertTrue(scheduled.get(0).get("message").toString().contains(manual), scheduled.toString());
        Map<String, Object> s = schedule();
        assertEquals("skipped", ((Map<?, ?>) s.get("last_attempt")).get("status"));
        assertEquals(historyRow(manual).get("finished_at"), s.get("last_success_at"),
                "a manual local-to-remote sync is a backup too: the last success");
    }

    static Map<String, Object> schedule() {
        return given().header("X-API-Key", KEY).get("/api/database/schedule").then().statusCode(200)
                .contentType(ContentType.JSON).extract().jsonPath().getMap("$");
    }

    static List<Map<String, Object>> historyRows() {
        return given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=50").then().statusCode(200)
                .extract().jsonPath().getList("$");
    }

    static Map<String, Object> historyRow(String id) {
        return historyRows().stream().filter(r -> id.equals(r.get("sync_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no history row for " + id));
    }
}
