package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.archon.sync.config.ArchonTables;
import dev.archon.sync.engine.Phase;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.session.SyncLockKey;
import dev.archon.sync.service.SyncService;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * scripts/sync-databases.sh as a user runs it: a process against the running service and the real
 * clusters. Every case checks its exit code, and every output it prints is checked for control
 * characters (stdout and stderr are pipes here, not a terminal).
 */
@QuarkusTest
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class CliTest {
    static final Path SCRIPT = Path.of("scripts/sync-databases.sh").toAbsolutePath();
    static final List<String> SYNCED = List.of(ArchonTables.DEFAULT_CSV.split(","));
    final TestClusters clusters = TestClusters.get();

    @TestHTTPResource
    URL base;

    @Inject
    SyncService syncs;

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeEach
    void freshDatabases() {
        clusters.reset(clusters.local(), "app_local", "tpl_small");
        clusters.reset(clusters.remote(), "app_remote", "tpl_schema");
    }

    @Test
    void aCompletedSyncExitsZeroWithAPerPhaseSummaryAndTheVerification() {
        Run r = cli("--direction=local-to-remote", "--no-backup");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains(" started (local-to-remote)"), r.out());
        assertTrue(r.out().contains("importing"), r.out());
        assertTrue(r.out().matches("(?s).*\\nphase +seconds +rows +bytes\\n.*"), "per-phase table: " + r.out());
        assertTrue(r.out().matches("(?s).*\\nimporting +[0-9.]+ +[0-9,]+ +[0-9.]+ [kMG]?B\\n.*"), r.out());
        assertTrue(r.out().contains("verification: passed"), r.out());
        assertEquals(DbChecksum.of(clusters.local(), "app_local").only(SYNCED),
                DbChecksum.of(clusters.remote(), "app_remote").only(SYNCED));
    }

    @Test
    void jsonPrintsOnlyTheFinalProgressObject() throws IOException {
        Run r = cli("--direction=local-to-remote", "--no-backup", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode d = new ObjectMapper().readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValue(r.out());
        assertEquals("completed", d.get("status").asText());
        assertEquals("cli", d.get("trigger").asText());
        assertEquals(100.0, d.get("percent_complete").asDouble());
        assertTrue(d.get("report").get("phase_seconds").has("importing"), d.toString());

        // a refusal's --json is the refused progress object, the reasons go to stderr
        clusters.remote().exec("app_remote", "INSERT INTO archon_prompts (prompt_name, prompt) VALUES ('cloud-only', 'x')");
        Run refused = cli("--direction=local-to-remote", "--json");
        assertEquals(3, refused.exit(), refused.toString());
        JsonNode p = new ObjectMapper().readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValue(refused.out());
        assertEquals("refused", p.get("status").asText());
        assertEquals("data_loss", p.get("refusals").get(0).get("code").asText());
    }

    @Test
    void aDryRunPrintsThePlanPerTableAndChangesNothing() {
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        Run r = cli("--direction=local-to-remote", "--dry-run");
        assertEquals(0, r.exit(), r.toString());
        for (String table : SYNCED) {
            assertTrue(r.out().matches("(?s).*\\n" + table + " +[0-9,]+ +0 +load [0-9,]+ rows \\(differs\\)\\n.*"), table + " in " + r.out());
        }
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));
    }

    /**
     * Issue 14 through the CLI: after a first sync the dry run shows every table left alone, the sync says it
     * wrote nothing, a changed setting reloads only its table and says why, and --full replaces all 17.
     */
    @Test
    void itSaysWhichTablesWereLeftAloneAndWhichReloadedAndWhyAndFullReplacesAll() {
        assertEquals(0, cli("--direction=local-to-remote", "--no-backup").exit());

        Run dry = cli("--direction=local-to-remote", "--dry-run");
        assertEquals(0, dry.exit(), dry.toString());
        for (String table : SYNCED) {
            assertTrue(dry.out().matches("(?s).*\\n" + table + " +[0-9,]+ +[0-9,]+ +left alone: unchanged\\n.*"), table + " in " + dry.out());
        }
        assertTrue(dry.out().contains("0 to reload, 17 left alone"), dry.out());

        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        Run none = cli("--direction=local-to-remote", "--no-backup");
        assertEquals(0, none.exit(), none.toString());
        assertTrue(none.out().contains("Nothing to sync local-to-remote"), none.out());
        assertTrue(none.out().contains("left alone, unchanged (17): archon_settings, "), none.out());
        assertTrue(none.out().contains("no write transaction was opened on the target"), none.out());
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));

        clusters.local().exec("app_local", "UPDATE archon_settings SET value = 'changed' WHERE key = (SELECT min(key) FROM archon_settings)");
        Run one = cli("--direction=local-to-remote", "--no-backup");
        assertEquals(0, one.exit(), one.toString());
        assertTrue(one.out().contains("reloaded (1): archon_settings (differs)"), one.out());
        assertTrue(one.out().contains("left alone, unchanged (16): "), one.out());
        assertTrue(one.out().contains("row counts of 1 reloaded table equals the source snapshot; the 16 unchanged ones"), one.out());

        Run full = cli("--direction=local-to-remote", "--no-backup", "--full");
        assertEquals(0, full.exit(), full.toString());
        assertTrue(full.out().contains("reloaded (17): "), full.out());
        assertTrue(full.out().contains(" (full replace requested)"), full.out());
        assertFalse(full.out().contains("left alone"), full.out());
        assertEquals(DbChecksum.of(clusters.local(), "app_local").only(SYNCED),
                DbChecksum.of(clusters.remote(), "app_remote").only(SYNCED));
    }

    /**
     * Issue 19: a target whose Archon lacks a policy the source has is refused (schema drift) and the CLI names
     * the flag that helps; --with-schema sends "schema": true and the sync brings the policy along.
     */
    @Test
    void withSchemaBringsTheSourcesDefinitionsAlong() throws Exception {
        clusters.remote().exec("app_remote", "DROP POLICY \"public read access\" ON public.archon_sources");
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        Run refused = cli("--direction=local-to-remote", "--no-backup");
        assertEquals(3, refused.exit(), refused.toString());
        assertTrue(refused.out().contains("[schema_drift]"), refused.out());
        assertTrue(refused.out().contains("scripts/sync-databases.sh --direction=local-to-remote --with-schema"), refused.out());
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));

        Run dry = cli("--direction=local-to-remote", "--with-schema", "--dry-run");
        assertEquals(0, dry.exit(), dry.toString());
        Run r = cli("--direction=local-to-remote", "--with-schema", "--no-backup");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("verification: passed"), r.out());
        assertEquals(DbChecksum.of(clusters.local(), "app_local").only(SYNCED),
                DbChecksum.of(clusters.remote(), "app_remote").only(SYNCED));
        try (Connection c = clusters.remote().connect("app_remote")) {
            assertEquals(1, dev.archon.sync.pg.Sql.queryLong(c,
                    "SELECT count(*) FROM pg_policies WHERE tablename = 'archon_sources' AND policyname = 'public read access'"),
                    "the policy the target lacked was brought along");
        }
        assertEquals(2, cli("--status", "--with-schema").exit(), "--with-schema only goes with a sync");
    }

    /**
     * The summary and the plan are decided by the progress object's facts (outcome, dry_run, decisions with
     * action and counts, left_out, notices), never by its message: here the message says the opposite.
     */
    @Test
    void theSummaryAndThePlanReadFactsNotTheMessage() throws IOException {
        String decisions = "[{\"table\":\"archon_settings\",\"reload\":true,\"why\":\"differs\",\"action\":\"reload\","
                + "\"source_rows\":5,\"target_rows_before\":4,\"bytes_sent\":2048},"
                + "{\"table\":\"archon_crawled_pages\",\"reload\":true,\"why\":\"differs\",\"action\":\"delta\","
                + "\"rows_inserted\":12,\"rows_deleted\":3,\"source_rows\":100,\"target_rows_before\":91,\"bytes_sent\":40000},"
                + "{\"table\":\"archon_prompts\",\"reload\":false,\"why\":\"unchanged\",\"action\":\"unchanged\","
                + "\"source_rows\":3,\"target_rows_before\":3}]";
        String extras = ",\"left_out\":[{\"table\":\"archon_mcp_sessions\",\"why\":\"per-machine log\"}],"
                + "\"notices\":[{\"code\":\"encrypted_settings\",\"message\":\"2 encrypted settings are copied\"}]";
        Path done = Files.createTempFile("cli-final", ".json");
        Files.writeString(done, "{\"sync_id\":\"s1\",\"operation\":\"sync\",\"status\":\"completed\",\"outcome\":\"completed\","
                + "\"dry_run\":false,\"direction\":\"local-to-remote\",\"phase\":\"completed\",\"total_tables\":3,"
                + "\"message\":\"Dry run: Nothing to sync\",\"decisions\":" + decisions + extras + "}");
        Run summary = python("summary", done.toString());
        assertEquals(0, summary.exit(), summary.toString());
        assertTrue(summary.out().contains("reloaded (1): archon_settings (differs)"), summary.out());
        assertTrue(summary.out().contains("delta (1): archon_crawled_pages (12 inserted, 3 deleted)"), summary.out());
        assertTrue(summary.out().contains("left alone, unchanged (1): archon_prompts"), summary.out());
        assertTrue(summary.out().contains("bytes sent: 42.0 kB"), summary.out());
        assertTrue(summary.out().contains("notice [encrypted_settings]: 2 encrypted settings are copied"), summary.out());
        assertTrue(summary.out().contains("not synced (1): archon_mcp_sessions (per-machine log)"), summary.out());
        assertTrue(summary.out().contains("verification: passed before COMMIT (row counts of 2 reloaded tables"), summary.out());

        Files.writeString(done, "{\"sync_id\":\"s2\",\"status\":\"completed\",\"outcome\":\"nothing_to_do\",\"dry_run\":false,"
                + "\"message\":\"Synced 5 rows\",\"report\":{\"phase_seconds\":{\"validating\":0.1,\"verifying\":0.1}}}");
        Run nothing = python("summary", done.toString());
        assertTrue(nothing.out().contains("verification: nothing to verify"), nothing.out());

        Files.writeString(done, "{\"status\":\"completed\",\"outcome\":\"planned\",\"dry_run\":true,\"message\":\"Synced\","
                + "\"plan\":{\"source\":\"local\",\"target\":\"cloud\",\"tables\":" + decisions + "}" + extras + "}");
        Run plan = python("plan", done.toString(), "dry run, nothing changed");
        assertTrue(plan.out().matches("(?s).*\\narchon_settings +5 +4 +replace 4 rows with 5 \\(\\+1\\) \\(differs\\)\\n.*"), plan.out());
        assertTrue(plan.out().matches("(?s).*\\narchon_crawled_pages +100 +91 +delta: 12 inserted, 3 deleted\\n.*"), plan.out());
        assertTrue(plan.out().matches("(?s).*\\narchon_prompts +3 +3 +left alone: unchanged\\n.*"), plan.out());
        assertTrue(plan.out().contains("2 to reload, 1 left alone"), plan.out());
        assertTrue(plan.out().contains("not synced (1): archon_mcp_sessions"), plan.out());
        assertEquals("7", python("rows_to_overwrite", done.toString()).out().trim(), "4 replaced + 3 deleted");
        Files.delete(done);
    }

    @Test
    void usageErrorsExitTwo() {
        for (String[] args : List.of(new String[] {}, new String[] {"--direction=sideways"}, new String[] {"--bogus"},
                new String[] {"--history=0"}, new String[] {"--status", "--history"}, new String[] {"--follow=not an id"},
                new String[] {"--status", "--force"}, new String[] {"--history", "--full"})) {
            Run r = cli(args);
            assertEquals(2, r.exit(), List.of(args) + ": " + r);
            assertTrue(r.err().contains("--help"), r.err());
        }
        Run help = cli("--help");
        assertEquals(0, help.exit());
        for (String text : List.of("--direction", "--url", "--force", "--full", "--with-schema", "--no-backup", "--dry-run", "--yes", "--json", "--status",
                "--history", "--cancel", "--follow", "0  completed", "1  failed", "2  usage", "3  refused", "4  cancelled",
                "5  service unreachable or unauthorized", "6  another sync is running")) {
            assertTrue(help.out().contains(text), text);
        }
        // an id the service does not know
        assertEquals(2, cli("--follow=00000000-0000-0000-0000-000000000000").exit());
    }

    @Test
    void aRefusalExitsThreeWithTheTablesTheNumbersAndHowToForce() {
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        clusters.remote().exec("app_remote", "INSERT INTO archon_prompts (prompt_name, prompt) VALUES ('cloud-only', 'x')");
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        Run r = cli("--direction=local-to-remote", "--no-backup");
        assertEquals(3, r.exit(), r.toString());
        long local = DbChecksum.of(clusters.local(), "app_local").rows("archon_prompts");
        long remote = remoteBefore.rows("archon_prompts");
        assertTrue(r.out().matches("(?s).*\\narchon_prompts +" + local + " +" + remote + " +" + (remote - local) + "\\n.*"),
                "table, source rows, target rows, lost: " + r.out());
        assertTrue(r.out().contains("scripts/sync-databases.sh --direction=local-to-remote --force"), r.out());
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));
    }

    @Test
    void aFailedSyncExitsOneAndTheTargetIsRolledBack() {
        clusters.reset(clusters.remote(), "app_remote", "tpl_small");
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        // an orphan row on the source fails verification before COMMIT
        clusters.local().exec("app_local", "SET session_replication_role = replica; INSERT INTO archon_task_history "
                + "(task_id, field_name) VALUES ('00000000-0000-0000-0000-000000000001', 'status')");
        Run r = cli("--direction=local-to-remote", "--force", "--no-backup");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("verification: FAILED"), r.out());
        assertTrue(r.out().contains("foreign key"), r.out());
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));
    }

    @Test
    void anUnreachableServiceOrAWrongKeyExitsFive() throws IOException {
        Run wrongKey = cli(Map.of("ARCHON_SYNC_API_KEY", "not-the-key"), "--direction=local-to-remote");
        assertEquals(5, wrongKey.exit(), wrongKey.toString());
        assertTrue(wrongKey.err().contains("ARCHON_SYNC_API_KEY"), wrongKey.err());
        assertFalse(wrongKey.all().contains("not-the-key"), "the key is never printed");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run down = cli("--url=http://127.0.0.1:" + closed, "--history");
        assertEquals(5, down.exit(), down.toString());
        assertTrue(down.err().contains("cannot reach the sync service"), down.err());
    }

    @Test
    void anotherSyncHoldingTheDatabasesExitsSix() throws Exception {
        DbChecksum remoteBefore = DbChecksum.of(clusters.remote(), "app_remote");
        try (Connection otherInstance = clusters.local().connect("app_local"); Statement st = otherInstance.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + SyncLockKey.KEY + ")");
            Run r = cli("--direction=local-to-remote");
            assertEquals(6, r.exit(), r.toString());
            assertTrue(r.err().contains("another sync is running"), r.err());
        }
        assertEquals(remoteBefore, DbChecksum.of(clusters.remote(), "app_remote"));
    }

    @Test
    void ctrlCMidImportCancelsOnTheServerAndExitsFourWithTheTargetUnchanged() throws Exception {
        clusters.reset(clusters.remote(), "app_remote", TestClusters.BIG);
        DbChecksum localBefore = DbChecksum.of(clusters.local(), "app_local").only(SYNCED);
        Path out = Files.createTempFile("cli-out", ".txt");
        Path err = Files.createTempFile("cli-err", ".txt");
        Process p = start(Map.of(), out, err, "--direction=remote-to-local", "--force", "--no-backup");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            ProgressEvent e = syncs.running().map(SyncJob::snapshot).orElse(null);
            if (e != null && e.phase() == Phase.IMPORTING && e.rowsSynced() > 2000) {
                break;
            }
            assertTrue(p.isAlive(), () -> "the script ended before the import: " + read(out) + read(err));
            assertTrue(System.nanoTime() < deadline, "timed out waiting for the import");
            Thread.sleep(20);
        }
        String id = syncs.running().orElseThrow().id();
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the script ends after the cancel");
        Run r = new Run(p.exitValue(), read(out), read(err));
        assertNoControlCharacters(r);
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.err().contains("cancelling sync " + id + " on the server"), r.err());
        assertTrue(r.err().contains("cancelled: the target was rolled back"), r.err());
        given().header("X-API-Key", SyncApiTest.KEY).get("/api/database/sync/" + id).then().statusCode(200)
                .body("status", equalTo("cancelled"));
        assertEquals(localBefore, DbChecksum.of(clusters.local(), "app_local").only(SYNCED), "the target is exactly as before");
    }

    @Test
    void followStatusHistoryAndALateCancelTellTheTruth() throws IOException {
        String id = given().header("X-API-Key", SyncApiTest.KEY).contentType(ContentType.JSON)
                .body("{\"direction\":\"local-to-remote\",\"backup\":false}").post("/api/database/sync")
                .then().statusCode(202).extract().path("sync_id");
        Run follow = cli("--follow=" + id);
        assertEquals(0, follow.exit(), follow.toString());
        assertTrue(follow.out().contains("sync " + id + " completed"), follow.out());

        Run history = cli("--history=5");
        assertEquals(0, history.exit(), history.toString());
        assertTrue(history.out().matches("(?s).*" + id + " +manual +local-to-remote +completed .*"), history.out());
        Run historyJson = cli("--history=5", "--json");
        assertEquals(id, new ObjectMapper().readTree(historyJson.out()).get(0).get("sync_id").asText());

        Run status = cli("--status");
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains("running:      no sync"), status.out());
        assertTrue(status.out().contains("nightly:      disabled"), status.out());
        JsonNode statusJson = new ObjectMapper().readTree(cli("--status", "--json").out());
        assertTrue(statusJson.get("schedule").has("next_fire_at"), statusJson.toString());

        Run cancel = cli("--cancel=" + id);
        assertEquals(0, cancel.exit(), "the sync completed, so the cancel lost: " + cancel);
        assertTrue(cancel.err().contains("too late to cancel"), cancel.err());
        assertTrue(cancel.err().contains("the cancel lost to COMMIT"), cancel.err());
    }

    // ---- running the script ----

    /** The CLI's reading half on its own: scripts/sync_cli.py <command> <args…>. */
    Run python(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.resolveSibling("sync_cli.py").toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(1, TimeUnit.MINUTES));
            Run r = new Run(p.exitValue(), out, err);
            assertNoControlCharacters(r);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }


    Run cli(String... args) {
        return cli(Map.of(), args);
    }

    Run cli(Map<String, String> env, String... args) {
        try {
            Path out = Files.createTempFile("cli-out", ".txt");
            Path err = Files.createTempFile("cli-err", ".txt");
            Process p = start(env, out, err, args);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the script ends");
            Run r = new Run(p.exitValue(), read(out), read(err));
            Files.delete(out);
            Files.delete(err);
            assertNoControlCharacters(r);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Started as a shell would start it in the foreground: SIGINT and SIGTERM at their defaults (a
     * test JVM run in the background may have inherited SIGINT ignored, and bash cannot trap a
     * signal that was ignored when it started). Not a terminal: stdin is /dev/null, output pipes.
     */
    Process start(Map<String, String> env, Path out, Path err, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM", "bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("ARCHON_SYNC_URL", base.toString().replaceAll("/$", ""));
        pb.environment().put("ARCHON_SYNC_API_KEY", SyncApiTest.KEY);
        pb.environment().put("TERM", "xterm-256color");
        pb.environment().putAll(env);
        return pb.start();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertNoControlCharacters(Run r) {
        for (String text : List.of(r.out(), r.err())) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                int code = c;
                boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f);
                assertFalse(control, () -> String.format("control character U+%04X in the output: %s", code, r));
            }
        }
    }
}
