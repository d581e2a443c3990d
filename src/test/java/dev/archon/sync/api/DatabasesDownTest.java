package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.archon.sync.service.DatabaseReachability;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sidecar must start and stay ready while its databases are away: the local one does not exist yet
 * (a local Supabase still starting), nothing listens where the remote should be (a cloud outage).
 */
@QuarkusTest
@TestProfile(DatabasesDownTest.BothDown.class)
class DatabasesDownTest {
    static final String LATE_DB = "app_late";
    final TestClusters clusters = TestClusters.get();

    @Inject
    DatabaseReachability databases;

    public static class BothDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TestClusters c = TestClusters.get();
            c.local().dropDatabase(LATE_DB);
            return Map.of(
                    "archon.sync.local.url", c.local().url(LATE_DB),
                    "archon.sync.remote.url", "postgresql://postgres:not-a-real-password@127.0.0.1:" + closedPort() + "/postgres",
                    "archon.sync.work-dir", "target/down-test-work",
                    "archon.sync.backup-dir", "target/down-test-backups");
        }
    }

    @Test
    void readinessStaysUpWhileTheDatabasesAreDownAndTheHistoryArrivesWithTheLocalDatabase() throws Exception {
        databases.check();
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks[0].data.local_database", equalTo("unreachable"))
                .body("checks[0].data.remote_database", equalTo("unreachable"))
                .body("checks[0].data.history", equalTo("pending"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().header("X-API-Key", SyncApiTest.KEY).get("/api/database/sync/history").then().statusCode(503)
                .contentType("application/problem+json");

        // the local database comes up: the next check creates the history table, readiness never changed
        clusters.local().createDatabase(LATE_DB, TestClusters.SMALL);
        try {
            databases.check();
            given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                    .body("checks[0].data.local_database", equalTo("reachable"))
                    .body("checks[0].data.remote_database", equalTo("unreachable"))
                    .body("checks[0].data.history", equalTo("ready"));
            try (Connection c = clusters.local().connect(LATE_DB); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM archon_sync.archon_sync_schema_history WHERE success AND version IS NOT NULL")) {
                rs.next();
                assertEquals(dev.archon.sync.testing.HistoryMigrations.versions().size(), rs.getInt(1));
            }
            given().header("X-API-Key", SyncApiTest.KEY).get("/api/database/sync/history").then().statusCode(200);
        } finally {
            clusters.local().dropDatabase(LATE_DB);
        }
    }

    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
