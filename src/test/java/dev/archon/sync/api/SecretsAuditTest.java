package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, point 3: a distinctive password with {@code @ : / % ' space}, in the URL forms users paste
 * (an unencoded URI for local, a quoted conninfo for remote); a sync into a fresh remote (its schema from
 * the local's pg_dump), a sync with a backup, a failing and a refused sync; then every place a secret could
 * surface is searched: the log, every response body (health without a key included), the event streams,
 * the history rows, the backup files' names and manifests, and the pg_dump children's argv and environment,
 * read from /proc while they run.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditClustersResource.class, restrictToAnnotatedClass = true)
class SecretsAuditTest {
    static final String KEY = SyncApiTest.KEY;
    final TestClusters clusters = TestClusters.get();

    @Inject
    SyncHistory history;

    /** Every form the password could take in text. */
    static final List<String> NEEDLES = List.of(AuditClustersResource.PASSWORD,
            URLEncoder.encode(AuditClustersResource.PASSWORD, StandardCharsets.UTF_8),
            URLEncoder.encode(AuditClustersResource.PASSWORD, StandardCharsets.UTF_8).replace("+", "%20"),
            AuditClustersResource.PASSWORD.replace("'", "\\'"), AuditClustersResource.PASSWORD.replace("'", "''"),
            "pa:ss/w%rd", "w%rd' with", "Xy7@pa");

    @Test
    void theHostilePasswordAppearsNowhere() throws Exception {
        List<String> log = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (log) {
                    log.add(String.valueOf(r.getMessage()) + " " + (r.getParameters() == null ? "" : List.of(r.getParameters()))
                            + (r.getThrown() == null ? "" : " " + stackTrace(r.getThrown())));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        Map<Long, String> children = new ConcurrentHashMap<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                ProcessHandle.current().descendants().forEach(p -> {
                    try {
                        String argv = Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
                        String env = Files.readString(Path.of("/proc/" + p.pid() + "/environ")).replace('\0', '\n');
                        if (argv.contains("pg_dump") || argv.contains("pg_restore") || argv.contains("psql")) {
                            children.put(p.pid(), argv + "\n" + env);
                        }
                    } catch (Exception ignored) {
                        // gone already
                    }
                });
                Thread.onSpinWait();
            }
        }, "audit-proc-watcher");
        watcher.setDaemon(true);
        watcher.start();
        List<String> bodies = new ArrayList<>();
        try {
            // 1. a sync into the fresh remote (pg_dump reads the schema with the local's password), then a sync
            //    with its pre-sync backup of the remote
            String fresh = start("{\"direction\":\"local-to-remote\"}", 202, bodies);
            bodies.add(SyncApiTest.awaitFinal(fresh).asString());
            bodies.add(events(fresh));
            clusters.local().exec("app_local", "UPDATE archon_prompts SET prompt = prompt || ' (edited)'");
            String full = start("{\"direction\":\"local-to-remote\",\"force\":true}", 202, bodies);
            String done = SyncApiTest.awaitFinal(full).asString();
            assertTrue(done.contains("\"completed\"") && done.contains("\"backing_up\":"), done); // its backup was taken
            bodies.add(done);
            bodies.add(events(full));
            // 2. a failing sync: an orphan row on the source fails verification
            clusters.local().exec("app_local", "SET session_replication_role = replica; INSERT INTO archon_task_history "
                    + "(task_id, field_name) VALUES ('00000000-0000-0000-0000-000000000001', 'status')");
            String failing = start("{\"direction\":\"local-to-remote\",\"force\":true,\"backup\":false}", 202, bodies);
            String failed = SyncApiTest.awaitFinal(failing).asString();
            assertTrue(failed.contains("\"failed\""), failed);
            bodies.add(failed);
            bodies.add(events(failing));
            // 3. a refused sync: the remote has rows the local lacks
            clusters.remote().exec("app_remote", "INSERT INTO archon_prompts (prompt_name, prompt) VALUES ('cloud-only', 'x')");
            String refused = start("{\"direction\":\"local-to-remote\"}", 422, bodies);
            bodies.add(given().header("X-API-Key", KEY).get("/api/database/sync/" + refused).asString());
            bodies.add(events(refused));
            // every other answer, health without a key included
            for (String path : List.of("/api/database/sync/history?limit=50", "/api/database/backups", "/api/database/compare",
                    "/api/database/schedule")) {
                bodies.add(given().header("X-API-Key", KEY).get(path).asString());
            }
            for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/health/started", "/q/openapi",
                    "/q/metrics")) {
                bodies.add(given().get(path).asString());
            }
            bodies.add(given().header("X-API-Key", KEY).contentType(ContentType.JSON).body("{\"direction\":")
                    .post("/api/database/sync").asString());
        } finally {
            watching.set(false);
            watcher.join();
            history.flush();
            root.removeHandler(capture);
        }
        assertTrue(children.values().stream().anyMatch(c -> c.contains("pg_dump")), "a pg_dump child was seen while it ran");
        assertTrue(children.values().stream().anyMatch(c -> c.contains("PGPASSFILE=")), "it connected through a passfile");

        List<String> historyRows = new ArrayList<>();
        try (Connection c = clusters.local().connect("app_local"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT row_to_json(h)::text FROM archon_sync.archon_sync_history h")) {
            while (rs.next()) {
                historyRows.add(rs.getString(1));
            }
        }
        assertTrue(historyRows.size() >= 3, historyRows.toString());
        List<String> backupFiles = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("target/audit-backups"))) {
            for (Path p : s.toList()) {
                backupFiles.add(p.getFileName().toString());
                if (p.toString().endsWith(".json")) {
                    backupFiles.add(Files.readString(p));
                } else if (Files.isDirectory(p)) {
                    try (Stream<Path> files = Files.list(p)) {
                        files.forEach(f -> backupFiles.add(f.getFileName().toString()));
                    }
                }
            }
        }
        assertTrue(backupFiles.stream().anyMatch(f -> f.endsWith(".tables")), backupFiles.toString());

        Map<String, List<String>> places = Map.of("log", log, "response bodies and event streams", bodies,
                "history rows", historyRows, "backup names and manifests", backupFiles,
                "children's argv and environment", new ArrayList<>(children.values()));
        List<String> hits = new ArrayList<>();
        places.forEach((where, texts) -> {
            for (String text : texts) {
                for (String needle : NEEDLES) {
                    if (text.contains(needle)) {
                        hits.add(where + ": " + needle);
                    }
                }
            }
        });
        assertEquals(List.of(), hits, "the password must appear nowhere");
        System.out.printf("[secrets-audit] searched %d log lines, %d bodies/streams, %d history rows, %d backup names/manifests, "
                + "%d tool children (argv+environ): 0 hits%n", log.size(), bodies.size(), historyRows.size(), backupFiles.size(),
                children.size());
    }

    private static String start(String body, int status, List<String> bodies) {
        var r = given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(body).post("/api/database/sync");
        r.then().statusCode(status);
        bodies.add(r.asString());
        return r.path("sync_id");
    }

    private static String events(String id) {
        return given().header("X-API-Key", KEY).get("/api/database/sync/" + id + "/events").asString();
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
