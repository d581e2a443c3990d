package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, cross-site request forgery: the shapes a browser really sends from another site's page — a
 * {@code no-cors} fetch with no Content-Type, {@code text/plain}, a form type, another site's {@code Origin},
 * {@code Origin: null} (a file:// page), {@code Sec-Fetch-Site: cross-site}, a rebinding {@code Host} — against
 * every state-changing route, signed in by the key (a proxy that adds it) and by the page's cookie: each is
 * refused, nothing starts, the remote database is untouched, and no Location names the rebinding host.
 */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class HostileCrossSiteTest {
    static final String KEY = SyncApiTest.KEY;
    private static final String OVERWRITE = "{\"direction\":\"local-to-remote\",\"force\":true,\"backup\":false,\"full\":true}";
    final TestClusters clusters = TestClusters.get();

    @Inject
    FailedKeyThrottle throttle;

    @AfterEach
    void forgetWrongKeys() {
        throttle.reset();
    }

    private static int port() {
        return RestAssured.port;
    }

    private record Shape(String name, Map<String, String> headers, int refusedWith) {
    }

    private static List<Shape> shapes() {
        String evil = "https://evil.example";
        return List.of(
                new Shape("no-cors fetch, no Content-Type", Map.of("Origin", evil), 415),
                new Shape("no Content-Type, no Origin", Map.of(), 415),
                new Shape("text/plain", Map.of("Content-Type", "text/plain;charset=UTF-8", "Origin", evil), 415),
                new Shape("form", Map.of("Content-Type", "application/x-www-form-urlencoded"), 415),
                new Shape("another site's Origin", Map.of("Content-Type", "application/json", "Origin", evil), 403),
                new Shape("file:// page", Map.of("Content-Type", "application/json", "Origin", "null"), 403),
                new Shape("same host, other port", Map.of("Content-Type", "application/json", "Origin", "http://localhost:1"), 403),
                new Shape("Sec-Fetch-Site cross-site", Map.of("Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"), 403),
                new Shape("DNS rebinding", Map.of("Content-Type", "application/json", "Host", "evil.example:" + port(),
                        "Origin", "http://evil.example:" + port()), 421));
    }

    private String backupId() {
        // a real backup of the remote, so that a restore that got through would really run
        String id = given().header("X-API-Key", KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"force\":true,\"full\":true}").post("/api/database/sync")
                .then().statusCode(202).extract().path("sync_id");
        SyncApiTest.awaitFinal(id).then().body("status", equalTo("completed"));
        return given().header("X-API-Key", KEY).get("/api/database/backups").then().statusCode(200).extract().path("[0].id");
    }

    @Test
    void noCrossSiteShapeChangesAnythingUnderEitherSignIn() throws Exception {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        String backup = backupId();
        clusters.local().exec("app_local", "UPDATE archon_settings SET value = coalesce(value, '') || ' (changed locally)'");
        String session = given().header("X-API-Key", KEY).post("/api/database/session").then().statusCode(200)
                .extract().cookie("archon_sync_key");
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        int historyBefore = given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=500").then().statusCode(200)
                .extract().jsonPath().getList("$").size();

        String[][] routes = {{"POST", "/api/database/sync", OVERWRITE}, {"POST", "/api/database/backups/" + backup + "/restore",
                "{\"force\":true,\"backup\":false}"}, {"POST", "/api/database/sync/x/cancel", "{}"},
            {"POST", "/api/database/sync/x/events/token", "{}"}, {"POST", "/api/database/session", "{}"},
            {"DELETE", "/api/database/session", "{}"}};
        Map<String, Map<String, String>> signIns = new LinkedHashMap<>();
        signIns.put("key added by a proxy", Map.of("X-API-Key", KEY));
        signIns.put("the page's cookie", Map.of("Cookie", "archon_sync_key=" + session, "X-Requested-With", "archon-db-sync"));
        List<String> wrong = new ArrayList<>();
        for (String[] route : routes) {
            for (var signIn : signIns.entrySet()) {
                for (Shape shape : shapes()) {
                    Map<String, String> headers = new LinkedHashMap<>(signIn.getValue());
                    headers.putAll(shape.headers());
                    RawHttp.Answer a = RawHttp.send(port(), route[0], route[1], headers, route[2]);
                    String what = route[0] + " " + route[1] + " / " + signIn.getKey() + " / " + shape.name();
                    if (a.status() != shape.refusedWith()) {
                        wrong.add(what + ": " + a.status() + " " + a.body());
                    }
                    if (a.header("Location") != null && a.header("Location").contains("evil")) {
                        wrong.add(what + ": Location " + a.header("Location"));
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
        given().header("X-API-Key", KEY).get("/api/database/sync/current").then().statusCode(204);
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"), "nothing was written to the remote");
        assertEquals(historyBefore, given().header("X-API-Key", KEY).get("/api/database/sync/history?limit=500").then()
                .statusCode(200).extract().jsonPath().getList("$").size(), "no sync, restore or dry run was even attempted");
        // the sign-out was refused too: the session still works
        given().cookie("archon_sync_key", session).get("/api/database/session").then().statusCode(200);

        // the same requests from the service's own page (its origin, JSON) and from a script (no Origin) pass
        RawHttp.Answer own = RawHttp.send(port(), "POST", "/api/database/sync", Map.of("Cookie", "archon_sync_key=" + session,
                "X-Requested-With", "archon-db-sync", "Content-Type", "application/json", "Origin", "http://localhost:" + port(),
                "Sec-Fetch-Site", "same-origin"), "{\"direction\":\"local-to-remote\",\"dry_run\":true}");
        assertEquals(200, own.status(), own.body());
        RawHttp.Answer script = RawHttp.send(port(), "POST", "/api/database/sync", Map.of("X-API-Key", KEY,
                "Content-Type", "application/json"), "{\"direction\":\"local-to-remote\",\"backup\":false}");
        assertEquals(202, script.status(), script.body());
        assertTrue(script.header("Location").contains("/api/database/sync/"), script.header("Location"));
        String id = given().header("X-API-Key", KEY).get("/api/database/sync/current").then().extract().path("sync_id");
        if (id != null) {
            SyncApiTest.awaitFinal(id);
        }
    }

    @Test
    void aRebindingHostIsRefusedEvenForReadsAndNeverReflected() throws Exception {
        RawHttp.Answer a = RawHttp.send(port(), "GET", "/api/database/backups", Map.of("X-API-Key", KEY, "Host", "attacker.example"), null);
        assertEquals(421, a.status(), a.body());
        assertFalse(a.body().contains("attacker.example"), a.body());
        // health stays open to probes, which send the pod's address as Host
        assertEquals(200, RawHttp.send(port(), "GET", "/q/health/live", Map.of("Host", "10.1.2.3:8091"), null).status());
    }

    @Test
    void wrongKeysAreThrottledThenEvenTheRightKeyWaits() {
        throttle.useClock(java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC));
        int throttled = 0;
        for (int i = 0; i < FailedKeyThrottle.BURST + 5; i++) {
            Response r = given().header("X-API-Key", "guess-" + i).get("/api/database/backups");
            if (r.statusCode() == 429) {
                throttled++;
                assertTrue(Integer.parseInt(r.getHeader("Retry-After")) > 0, r.asString());
            } else {
                assertEquals(401, r.statusCode(), r.asString());
            }
        }
        assertEquals(5, throttled, "the guesses beyond the allowance of " + FailedKeyThrottle.BURST + " are answered 429");
        given().header("X-API-Key", KEY).get("/api/database/session").then().statusCode(429);
        throttle.reset();
        given().header("X-API-Key", KEY).get("/api/database/session").then().statusCode(200);
        // asking without any credential is not guessing: never throttled
        for (int i = 0; i < FailedKeyThrottle.BURST + 5; i++) {
            given().get("/api/database/session").then().statusCode(401);
        }
    }

    @Test
    void aSessionIsRenewedOnlyWithTheKeyAndSignOutEndsItServerSide() {
        Response login = given().header("X-API-Key", KEY).header("X-Forwarded-Proto", "https").post("/api/database/session");
        login.then().statusCode(200);
        String setCookie = login.getHeader("Set-Cookie").toLowerCase(Locale.ROOT);
        assertTrue(setCookie.contains("path=/api;") || setCookie.endsWith("path=/api"), setCookie);
        assertFalse(setCookie.contains("secure"), "a client's X-Forwarded-Proto does not decide Secure: " + setCookie);
        String session = login.getCookie("archon_sync_key");

        // the cookie alone cannot issue itself a fresh one
        given().cookie("archon_sync_key", session).header("X-Requested-With", "archon-db-sync").post("/api/database/session")
                .then().statusCode(401).body("detail", containsString("API key"));
        given().cookie("archon_sync_key", session).get("/api/database/session").then().statusCode(200);

        String other = given().header("X-API-Key", KEY).post("/api/database/session").then().statusCode(200)
                .extract().cookie("archon_sync_key");
        given().cookie("archon_sync_key", session).header("X-Requested-With", "archon-db-sync").delete("/api/database/session")
                .then().statusCode(204);
        // a copy of the cookie kept after sign-out is worthless, and so is every other session issued before it
        given().cookie("archon_sync_key", session).get("/api/database/session").then().statusCode(401);
        given().cookie("archon_sync_key", other).get("/api/database/session").then().statusCode(401);
        given().header("X-API-Key", KEY).get("/api/database/session").then().statusCode(200);
        String fresh = given().header("X-API-Key", KEY).post("/api/database/session").then().statusCode(200)
                .extract().cookie("archon_sync_key");
        given().cookie("archon_sync_key", fresh).get("/api/database/session").then().statusCode(200);
    }
}
