package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.SyncEngine;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.service.DatabaseReachability;
import dev.archon.sync.service.SyncLogContext;
import dev.archon.sync.testing.TestClusters;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.flyway.FlywayDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** The sidecar's Quarkus wiring: pooled datasources from libpq URIs, Flyway, health, metrics, errors, logs. */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class SidecarApiTest {
    static final String KEY = SyncApiTest.KEY;
    final TestClusters clusters = TestClusters.get();

    @Inject
    @DataSource("local")
    AgroalDataSource local;

    @Inject
    @DataSource("remote")
    AgroalDataSource remote;

    @Inject
    @FlywayDataSource("local")
    Flyway flyway;

    @Inject
    SyncHistory history;

    @Inject
    DatabaseReachability databases;

    @Test
    void namedDatasourcesComeFromTheLibpqUrisAndFlywayOwnsTheHistorySchema() throws Exception {
        history.flush();
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        try (Connection c = local.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT current_database(), current_user, current_setting('application_name'), inet_server_port()")) {
            rs.next();
            assertEquals("app_local", rs.getString(1));
            assertEquals(clusters.local().user(), rs.getString(2));
            assertEquals("archon-db-sync pool", rs.getString(3));
            assertEquals(clusters.local().port(), rs.getInt(4));
        }
        try (Connection c = remote.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT current_database()")) {
            rs.next();
            assertEquals("app_remote", rs.getString(1));
        }
        // a fresh local database: the next history use creates schema, table and Flyway's own table
        history.migrate();
        List<String> applied = Arrays.stream(flyway.info().applied()).filter(i -> i.getVersion() != null)
                .map(i -> i.getVersion().toString()).toList();
        assertEquals(dev.archon.sync.testing.HistoryMigrations.versions(), applied);
        try (Connection c = clusters.local().connect("app_local"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM archon_sync.archon_sync_schema_history WHERE success AND version IS NOT NULL")) {
            rs.next();
            assertEquals(dev.archon.sync.testing.HistoryMigrations.versions().size(), rs.getInt(1));
        }
        // the migrations never land in the public schema next to Archon's own tables
        try (Connection c = clusters.local().connect("app_local"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '%schema_history%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void startUpRecoveryLeavesNoAdvisoryLockOnThePooledConnection() throws Exception {
        history.flush();
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        history.migrate();
        assertTrue(history.failInterrupted(dev.archon.sync.engine.session.SyncLockKey.KEY).isPresent());
        try (Connection c = clusters.local().connect("app_local"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the pooled session must hold no advisory lock afterwards");
        }
    }

    @Test
    void readinessIsUpAndShowsBothDatabasesWithoutHostsOrUsers() {
        databases.check();
        String body = given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'archon-db-sync' }.data.local_database", equalTo("reachable"))
                .body("checks.find { it.name == 'archon-db-sync' }.data.remote_database", equalTo("reachable"))
                .extract().asString();
        assertFalse(body.contains("127.0.0.1") || body.contains("postgres") || body.contains(clusters.local().password()), body);
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void aRealSyncShowsInTheMetricsAndEveryLineOfItCarriesItsId() {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_schema");
        double before = metric("archon_sync_syncs_total", "direction=\"local-to-remote\"", "status=\"completed\"", "trigger=\"manual\"");
        List<ExtLogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                ExtLogRecord record = (ExtLogRecord) r;
                record.copyMdc(); // the MDC is read from the logging thread unless copied now
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger engineLog = Logger.getLogger(SyncEngine.class.getName());
        engineLog.addHandler(capture);
        String id;
        try {
            id = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                    .body("{\"direction\":\"local-to-remote\",\"backup\":true}").post("/api/database/sync")
                    .then().statusCode(202).extract().path("sync_id");
            SyncApiTest.awaitFinal(id).then().body("status", equalTo("completed"));
        } finally {
            engineLog.removeHandler(capture);
        }
        synchronized (records) {
            List<ExtLogRecord> ofThisSync = records.stream().filter(r -> r.getFormattedMessage().contains(id)).toList();
            assertFalse(ofThisSync.isEmpty(), "the engine logs the end of a sync");
            for (ExtLogRecord r : ofThisSync) {
                assertEquals(id, r.getMdc(SyncLogContext.KEY), "MDC of '" + r.getFormattedMessage() + "' on " + r.getThreadName());
            }
        }
        String rowsLabel = "direction=\"local-to-remote\"";
        assertEquals(before + 1, metric("archon_sync_syncs_total", rowsLabel, "status=\"completed\"", "trigger=\"manual\""));
        assertTrue(metric("archon_sync_rows_total", rowsLabel, "status=\"completed\"") > 0);
        assertTrue(metric("archon_sync_bytes_total", rowsLabel, "status=\"completed\"") > 0);
        assertTrue(metric("archon_sync_phase_duration_seconds_count", rowsLabel, "phase=\"importing\"") >= 1);
        assertTrue(metric("archon_sync_phase_duration_seconds_count", rowsLabel, "phase=\"backing_up\"") >= 1);
        double last = metric("archon_sync_last_success_timestamp_seconds", rowsLabel);
        assertTrue(Math.abs(last - System.currentTimeMillis() / 1000.0) < 600, "last success is now-ish: " + last);
        assertTrue(metric("archon_sync_last_success_age_seconds", rowsLabel) >= 0);
        assertEquals(0.0, metric("archon_sync_running"));
        assertTrue(metric("archon_sync_backups", "database=\"remote\"") >= 1);
        assertTrue(metric("archon_sync_backup_size_bytes", "database=\"remote\"") > 0);
    }

    @Test
    void anUnexpectedErrorIsProblemJsonWithACorrelationIdAndNoStackTrace() {
        String body = given().header("X-API-Key", KEY).get("/api/test-failures/bug").then().statusCode(500)
                .contentType("application/problem+json")
                .body("status", equalTo(500))
                .body("correlation_id", matchesPattern("[0-9a-f-]{36}"))
                .body("detail", containsString("correlation id"))
                .extract().asString();
        assertFalse(body.contains("hunter2") || body.contains("IllegalStateException") || body.contains("\tat ")
                || body.contains("dev.archon"), body);
        given().header("X-API-Key", KEY).get("/api/test-failures/database").then().statusCode(503)
                .contentType("application/problem+json")
                .body("correlation_id", notNullValue())
                .body("detail", not(containsString("hunter2")));
    }

    @Test
    void unknownRoutesAndWrongMethodsAreProblemJsonToo() {
        given().header("X-API-Key", KEY).get("/api/database/nothing-here").then().statusCode(404)
                .contentType("application/problem+json");
        given().header("X-API-Key", KEY).delete("/api/database/compare").then().statusCode(405)
                .contentType("application/problem+json");
        given().get("/no-such-page").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void theOpenApiDocumentIsTypedAndNamesTheApiKey() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("components.securitySchemes.'api-key'.type", equalTo("apiKey"))
                .body("components.securitySchemes.'api-key'.in", equalTo("header"))
                .body("components.securitySchemes.'api-key'.name", equalTo("X-API-Key"))
                .body("components.schemas.ProgressEvent.properties.percent_complete", notNullValue())
                .body("components.schemas.Problem.properties.correlation_id", notNullValue())
                .body("paths.'/api/database/sync'.post.requestBody.content.'application/json'.schema.'$ref'",
                        containsString("SyncRequestBody"))
                .body("paths.'/api/database/sync'.post.responses.'202'.content.'application/json'.schema.'$ref'",
                        containsString("ProgressEvent"))
                .body("paths.'/api/database/sync'.post.responses.'422'.content.'application/problem+json'.schema.'$ref'",
                        containsString("Problem"));
    }

    /**
     * META-INF/openapi.yaml writes the responses of routes the Java resources serve: an operation only the file
     * names (a renamed path, a typo) would have no tag, because tags come from the resource class.
     */
    @Test
    void everyDocumentedOperationIsServedByAResource() {
        Map<String, Map<String, Object>> paths = given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        List<String> untagged = new ArrayList<>();
        paths.forEach((path, item) -> item.forEach((method, operation) -> {
            if (operation instanceof Map<?, ?> o && o.get("tags") == null) {
                untagged.add(method + " " + path);
            }
        }));
        assertEquals(List.of(), untagged, "operations in the document that no resource method serves");
        assertTrue(paths.get("/api/database/sync").containsKey("post"));
    }

    /** The value of one sample in /q/metrics whose labels contain all of {@code labels}. */
    static double metric(String name, String... labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            if (Arrays.stream(labels).allMatch(l::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
