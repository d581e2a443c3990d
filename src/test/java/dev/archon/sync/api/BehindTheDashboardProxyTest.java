package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Archon's dashboard proxies the service under {@code /api/db-sync/} (rewritten to {@code /api/}) from its own
 * origin over HTTPS: the cookie's Path and Secure flag come from the configuration, the dashboard's origin
 * (ARCHON_SYNC_CORS_ORIGINS) may change things, another site still may not, and the proxy's host name
 * (ARCHON_SYNC_ALLOWED_HOSTS) is answered while others are not.
 */
@QuarkusTest
@TestProfile(BehindTheDashboardProxyTest.Dashboard.class)
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class BehindTheDashboardProxyTest {
    static final String KEY = SyncApiTest.KEY;
    static final String DASHBOARD = "https://archon.example:3737";

    public static class Dashboard implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("archon.sync.cookie.path", "/api/db-sync", "archon.sync.cookie.secure", "true",
                    "archon.sync.allowed-hosts", "localhost,archon-db-sync.*",
                    "quarkus.http.cors.enabled", "true", "quarkus.http.cors.origins", DASHBOARD,
                    "quarkus.http.cors.access-control-allow-credentials", "true");
        }
    }

    @Test
    void theCookieFollowsTheConfiguredPathAndIsSecure() {
        String setCookie = given().header("X-API-Key", KEY).post("/api/database/session").then().statusCode(200)
                .extract().header("Set-Cookie").toLowerCase(Locale.ROOT);
        assertTrue(setCookie.contains("path=/api/db-sync"), setCookie);
        assertTrue(setCookie.contains("secure"), setCookie);
    }

    @Test
    void theDashboardsOriginMayChangeThingsAnotherSiteMayNot() throws Exception {
        String dryRun = "{\"direction\":\"local-to-remote\",\"dry_run\":true}";
        RawHttp.Answer fromDashboard = RawHttp.send(RestAssured.port, "POST", "/api/database/sync", Map.of("X-API-Key", KEY,
                "Content-Type", "application/json", "Origin", DASHBOARD, "Sec-Fetch-Site", "same-site"), dryRun);
        assertEquals(200, fromDashboard.status(), fromDashboard.body());
        RawHttp.Answer fromElsewhere = RawHttp.send(RestAssured.port, "POST", "/api/database/sync", Map.of("X-API-Key", KEY,
                "Content-Type", "application/json", "Origin", "https://archon.example.evil.test"), dryRun);
        assertEquals(403, fromElsewhere.status(), fromElsewhere.body());
        RawHttp.Answer viaServiceName = RawHttp.send(RestAssured.port, "GET", "/api/database/session", Map.of("X-API-Key", KEY,
                "Host", "archon-db-sync.archon.svc.cluster.local:8091"), null);
        assertEquals(200, viaServiceName.status(), viaServiceName.body());
        RawHttp.Answer rebound = RawHttp.send(RestAssured.port, "GET", "/api/database/session", Map.of("X-API-Key", KEY,
                "Host", "127.0.0.1:" + RestAssured.port), null);
        assertEquals(421, rebound.status(), "127.0.0.1 is not in this ARCHON_SYNC_ALLOWED_HOSTS: " + rebound.body());
    }
}
