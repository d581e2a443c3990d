package dev.archon.sync.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With ARCHON_SYNC_AUTH_DISABLED=true (loopback only) there is no key to forge, so the same-origin rules are
 * all that stand between a page on another site — or a file:// page — and the user's data: they hold.
 */
@QuarkusTest
@TestProfile(AuthDisabledCrossSiteTest.NoAuth.class)
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class AuthDisabledCrossSiteTest {
    final TestClusters clusters = TestClusters.get();

    public static class NoAuth implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("archon.sync.auth.disabled", "true", "archon.sync.api-key", "");
        }
    }

    @Test
    void crossSiteShapesAreRefusedWithoutAnyKey() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        DbChecksum before = DbChecksum.of(clusters.remote(), "app_remote");
        String overwrite = "{\"direction\":\"local-to-remote\",\"force\":true,\"backup\":false,\"full\":true}";
        int port = RestAssured.port;
        assertEquals(415, RawHttp.send(port, "POST", "/api/database/sync", Map.of("Origin", "null"), overwrite).status());
        assertEquals(415, RawHttp.send(port, "POST", "/api/database/sync", Map.of("Content-Type", "text/plain"), overwrite).status());
        assertEquals(403, RawHttp.send(port, "POST", "/api/database/sync", Map.of("Content-Type", "application/json",
                "Origin", "null"), overwrite).status());
        assertEquals(403, RawHttp.send(port, "POST", "/api/database/sync", Map.of("Content-Type", "application/json",
                "Origin", "https://evil.example"), overwrite).status());
        assertEquals(421, RawHttp.send(port, "POST", "/api/database/sync", Map.of("Content-Type", "application/json",
                "Host", "evil.example"), overwrite).status());
        assertEquals(before, DbChecksum.of(clusters.remote(), "app_remote"), "nothing was written");
        RawHttp.Answer own = RawHttp.send(port, "POST", "/api/database/sync", Map.of("Content-Type", "application/json",
                "Origin", "http://localhost:" + port), "{\"direction\":\"local-to-remote\",\"dry_run\":true}");
        assertEquals(200, own.status(), own.body());
    }
}
