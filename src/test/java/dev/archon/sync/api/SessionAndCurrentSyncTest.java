package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.sql.Connection;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The page's sign-in cookie, and how a page opened mid-sync finds the running sync. */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class SessionAndCurrentSyncTest {
    static final String KEY = SyncApiTest.KEY;
    final TestClusters clusters = TestClusters.get();

    @Test
    void signingInSetsAnHttpOnlyStrictCookieThatIsNotTheKey() {
        given().header("X-API-Key", "wrong").post("/api/database/session").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("not valid"));
        Response login = given().header("X-API-Key", KEY).post("/api/database/session");
        login.then().statusCode(200).body("authenticated", equalTo(true));
        String setCookie = login.getHeader("Set-Cookie");
        assertNotNull(setCookie);
        String lower = setCookie.toLowerCase(Locale.ROOT);
        assertTrue(lower.startsWith("archon_sync_key="), setCookie);
        assertTrue(lower.contains("httponly") && lower.contains("samesite=strict") && lower.contains("path=/api"), setCookie);
        String session = login.getCookie("archon_sync_key");
        assertNotEquals(KEY, session, "the cookie holds a signed session value, not the key");
        assertTrue(!session.contains(KEY));

        // reads with the cookie alone; a change needs X-Requested-With too (a cross-site form cannot send it)
        given().cookie("archon_sync_key", session).get("/api/database/session").then().statusCode(200)
                .body("via", equalTo("cookie"));
        given().header("X-API-Key", KEY).get("/api/database/session").then().statusCode(200).body("via", equalTo("key"));
        given().cookie("archon_sync_key", session).get("/api/database/sync/history").then().statusCode(200);
        given().cookie("archon_sync_key", session).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"dry_run\":true}").post("/api/database/sync")
                .then().statusCode(403).body("detail", containsString("X-Requested-With"));
        given().cookie("archon_sync_key", session).header("X-Requested-With", "test").contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"dry_run\":true}").post("/api/database/sync")
                .then().statusCode(200).body("status", equalTo("completed"));

        // a forged or tampered session, or a wrong key sent along with a good cookie, gets nothing
        given().cookie("archon_sync_key", "s1.99999999999.forged").get("/api/database/session").then().statusCode(401);
        given().cookie("archon_sync_key", session + "x").get("/api/database/session").then().statusCode(401);
        given().cookie("archon_sync_key", session).header("X-API-Key", "wrong").get("/api/database/session")
                .then().statusCode(401);
        given().get("/api/database/session").then().statusCode(401);

        Response logout = given().cookie("archon_sync_key", session).header("X-Requested-With", "test")
                .delete("/api/database/session");
        logout.then().statusCode(204);
        assertTrue(logout.getHeader("Set-Cookie").toLowerCase(Locale.ROOT).contains("max-age=0"), logout.getHeader("Set-Cookie"));
    }

    @Test
    void currentSyncIsTheRunningOneOrNoContent() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        given().header("X-API-Key", KEY).get("/api/database/sync/current").then().statusCode(204);
        given().get("/api/database/sync/current").then().statusCode(401);
        // hold a lock on a target table: the sync waits in its load until we let go
        try (Connection hold = clusters.local().connect("app_local")) {
            hold.setAutoCommit(false);
            hold.createStatement().execute("LOCK TABLE archon_settings IN ACCESS SHARE MODE");
            String id = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                    .body("{\"direction\":\"remote-to-local\",\"backup\":false}").post("/api/database/sync")
                    .then().statusCode(202).extract().path("sync_id");
            given().header("X-API-Key", KEY).get("/api/database/sync/current").then().statusCode(200)
                    .body("sync_id", equalTo(id)).body("status", equalTo("running"));
            hold.rollback();
            assertEquals("completed", SyncApiTest.awaitFinal(id).path("status"));
        }
        given().header("X-API-Key", KEY).get("/api/database/sync/current").then().statusCode(204);
    }
}
