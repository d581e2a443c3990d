package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static dev.archon.sync.engine.EngineHarness.request;
import static dev.archon.sync.engine.EngineHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.schema.TargetPrerequisites;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.ArchonFixture;
import dev.archon.sync.testing.PgCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: restoring a new machine. The source has Archon's whole schema (fixture/archon-functions.sql on
 * top of the tables: search RPCs, helpers, a view found only by dependency, comments, grants, and another
 * app's objects that must stay behind); the target is a fresh Supabase-like database that still lacks
 * prerequisites. One refusal must list them all with SQL that works there; after running exactly that
 * SQL, one sync must give a working Archon.
 */
class BootstrapTest {
    private static final String READER = "archon_test_reader";
    private final EngineHarness h = new EngineHarness();

    @Test
    void freshSupabaseTargetRefusedOnceWithEveryPrerequisiteThenRestoredWhole() throws Exception {
        prepareSource(false);
        h.remote().exec(REMOTE_DB, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + READER + "') THEN "
                + "CREATE ROLE " + READER + " NOLOGIN NOINHERIT; END IF; END $$");
        h.remote().exec(REMOTE_DB, "GRANT SELECT ON public.archon_sources TO " + READER);
        freshTarget();
        h.local().exec(LOCAL_DB, "DROP SCHEMA auth CASCADE");
        h.local().exec("postgres", "DROP ROLE IF EXISTS " + READER);

        SyncJob refused = run(h.engine(), request(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.REFUSED, refused.status(), () -> refused.snapshot().toString());
        List<Refusal> reasons = refused.snapshot().refusals();
        Set<String> codes = reasons.stream().map(Refusal::code).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("vector_missing_on_target", "extension_missing_on_target", "function_missing_on_target",
                "role_missing_on_target"), codes, reasons::toString);
        String all = reasons.toString();
        for (String expected : List.of("CREATE EXTENSION IF NOT EXISTS \"vector\" WITH SCHEMA \"extensions\"",
                "CREATE EXTENSION IF NOT EXISTS \"pg_trgm\" WITH SCHEMA \"extensions\"", "auth.role()", "auth.uid()",
                "CREATE SCHEMA IF NOT EXISTS \"auth\"", "CREATE ROLE \"" + READER + "\" NOLOGIN NOINHERIT")) {
            assertTrue(all.contains(expected), expected + " in " + all);
        }
        assertNull(scalar(h.local(), LOCAL_DB, "SELECT to_regclass('public.archon_sources')::text"), "nothing was created");

        applyCommands(reasons);
        SyncJob job = run(h.engine(), request(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertWorkingArchon(job);
        assertEquals("true", scalar(h.local(), LOCAL_DB, "SELECT has_table_privilege('" + READER + "', 'public.archon_sources', 'SELECT')::text"));
    }

    @Test
    void vectorInPublicOnTheSourceIsInstalledInPublicOnTheTarget() throws Exception {
        prepareSource(true);
        freshTarget();
        SyncJob refused = run(h.engine(), request(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.REFUSED, refused.status(), () -> refused.snapshot().toString());
        String all = refused.snapshot().refusals().toString();
        assertTrue(all.contains("CREATE EXTENSION IF NOT EXISTS \"vector\" WITH SCHEMA \"public\""), all);
        assertFalse(all.contains("\"vector\" WITH SCHEMA \"extensions\""), all);

        applyCommands(refused.snapshot().refusals());
        assertEquals("public", scalar(h.local(), LOCAL_DB, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'vector'"));
        SyncJob job = run(h.engine(), request(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertWorkingArchon(job);
    }

    /** The source: the small Archon fixture plus the functions fixture (optionally with pgvector moved to public). */
    private void prepareSource(boolean vectorInPublic) {
        h.clusters.reset(h.remote(), REMOTE_DB, "tpl_small");
        exec(h.remote(), REMOTE_DB, ArchonFixture.sql("archon-functions.sql"));
        if (vectorInPublic) {
            exec(h.remote(), REMOTE_DB, "ALTER EXTENSION vector SET SCHEMA public");
        }
    }

    /** A fresh Supabase-like local database: roles, auth, the extensions schema; no vector, no pg_trgm. */
    private void freshTarget() {
        h.clusters.reset(h.local(), LOCAL_DB, "tpl_supabase");
        exec(h.local(), LOCAL_DB, "DROP EXTENSION vector", "DROP EXTENSION pg_trgm");
    }

    private void applyCommands(List<Refusal> reasons) {
        List<String> commands = TargetPrerequisites.commands(reasons);
        assertEquals(reasons.size(), commands.size(), () -> "every refusal carries its SQL: " + reasons);
        for (String sql : commands) {
            exec(h.local(), LOCAL_DB, sql);
        }
    }

    private void assertWorkingArchon(SyncJob job) throws Exception {
        assertTrue(job.plan().freshTarget());
        assertEquals(h.remoteSum().only(TABLE_NAMES).tables(), h.localSum().only(TABLE_NAMES).tables());
        assertEquals(archonSequences(h.remoteSum().sequences()), archonSequences(h.localSum().sequences()));
        // Archon's schema, as pg_dump prints it, equals the source's; the other app's objects stayed behind
        Map<String, String> source = archonDump(h.remote(), REMOTE_DB);
        Map<String, String> target = archonDump(h.local(), LOCAL_DB);
        assertEquals("", dumpDiff(source, target));
        assertTrue(source.keySet().stream().anyMatch(k -> k.contains("match_archon_crawled_pages_multi")), source.keySet().toString());
        assertTrue(source.keySet().stream().anyMatch(k -> k.startsWith("open_task_counts; Type: VIEW")), source.keySet().toString());
        assertNull(scalar(h.local(), LOCAL_DB, "SELECT to_regclass('public.other_app_items')::text"));
        assertNull(scalar(h.local(), LOCAL_DB, "SELECT to_regprocedure('public.other_app_touch()')::text"));
        // a table comment whose lines start with a backslash came through unchanged
        assertEquals(scalar(h.remote(), REMOTE_DB, "SELECT obj_description('public.archon_settings'::regclass, 'pg_class')"),
                scalar(h.local(), LOCAL_DB, "SELECT obj_description('public.archon_settings'::regclass, 'pg_class')"));
        // MCP tables exist, empty
        for (String t : EngineHarness.MCP_TABLES) {
            assertEquals("0", scalar(h.local(), LOCAL_DB, "SELECT count(*)::text FROM public." + t));
        }
        // the search functions answer as on the source
        String vector = "(SELECT embedding_1536 FROM public.archon_crawled_pages WHERE embedding_1536 IS NOT NULL ORDER BY id LIMIT 1)";
        String word = "(SELECT split_part(content, ' ', 1) FROM public.archon_crawled_pages ORDER BY id LIMIT 1)";
        for (String q : List.of("SELECT id, similarity FROM public.match_archon_crawled_pages(" + vector + ", 10)",
                "SELECT id, similarity FROM public.match_archon_crawled_pages_multi(" + vector + ", 1536, 10)",
                "SELECT id, similarity FROM public.match_archon_code_examples((SELECT embedding_1536 FROM public.archon_code_examples "
                        + "WHERE embedding_1536 IS NOT NULL ORDER BY id LIMIT 1), 10)",
                "SELECT id, match_type FROM public.hybrid_search_archon_crawled_pages(" + vector + ", " + word + ", 10)",
                "SELECT * FROM public.get_bulk_source_counts(ARRAY(SELECT source_id FROM public.archon_sources ORDER BY 1 LIMIT 5))")) {
            List<String> expected = rows(h.remote(), REMOTE_DB, q);
            assertFalse(expected.isEmpty(), q);
            assertEquals(expected, rows(h.local(), LOCAL_DB, q), q);
        }
        // row-level security and grants behave the same for Supabase's roles
        for (String role : List.of("anon", "authenticated", "service_role")) {
            assertEquals(visibleRows(h.remote(), REMOTE_DB, role), visibleRows(h.local(), LOCAL_DB, role), role);
        }
        // the smoke test after COMMIT passed and was reported
        SyncReport.SmokeTestResult smoke = job.report().smokeTest();
        assertNotNull(smoke, () -> job.snapshot().toString());
        assertTrue(smoke.passed(), smoke.message());
        assertEquals("service_role", smoke.role());
        assertFalse(smoke.rowIds().isEmpty());
        assertTrue(job.snapshot().message().contains("smoke test passed"), job.snapshot().message());
    }

    /**
     * PostgreSQL's own dump and restore changes how {@code varchar_col IN ('a', 'b')} prints: created from
     * Archon's migration it is {@code ANY ((ARRAY['a'::character varying, …])::text[])}, re-parsed from any
     * dump {@code ANY (ARRAY[('a'::character varying)::text, …])}. Same check; one spelling for both.
     */
    static String reparsed(String ddl) {
        return ddl.replaceAll("\\('((?:[^']|'')*)'::character varying\\)::text", "'$1'::character varying")
                .replaceAll("\\(\\(ARRAY\\[([^\\]]*)\\]\\)::text\\[\\]\\)", "(ARRAY[$1])");
    }

    private static String dumpDiff(Map<String, String> source, Map<String, String> target) {
        StringBuilder b = new StringBuilder();
        source.forEach((k, v) -> {
            if (!target.containsKey(k)) {
                b.append("only on the source: ").append(k).append('\n');
            } else if (!target.get(k).equals(v)) {
                b.append("differs: ").append(k).append("\n  source: ").append(v).append("\n  target: ").append(target.get(k)).append('\n');
            }
        });
        target.keySet().stream().filter(k -> !source.containsKey(k)).forEach(k -> b.append("only on the target: ").append(k).append('\n'));
        return b.toString();
    }

    /** The other app's sequence stays on the source only. */
    private static Map<String, String> archonSequences(Map<String, String> sequences) {
        Map<String, String> out = new TreeMap<>(sequences);
        out.keySet().removeIf(k -> !k.startsWith("archon_"));
        return out;
    }

    /** Per table: what the role may count (or the error's SQLSTATE), with the JWT claim PostgREST would set. */
    private static Map<String, String> visibleRows(PgCluster c, String db, String role) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection conn = c.connect(db)) {
            conn.setAutoCommit(false);
            for (String t : TABLE_NAMES) {
                Sql.exec(conn, "SET LOCAL ROLE " + role);
                Sql.exec(conn, "SELECT set_config('request.jwt.claim.role', '" + role + "', true)");
                try {
                    out.put(t, Long.toString(Sql.queryLong(conn, "SELECT count(*) FROM public." + t)));
                } catch (SQLException e) {
                    out.put(t, "error " + e.getSQLState());
                }
                conn.rollback();
            }
        }
        return out;
    }

    private static List<String> rows(PgCluster c, String db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection conn = c.connect(db); Statement st = conn.createStatement()) {
            st.execute("SET ivfflat.probes = 1000"); // exact answers: the two sides' ivfflat lists differ
            try (ResultSet rs = st.executeQuery(sql)) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        row.append(rs.getString(i)).append('|');
                    }
                    out.add(row.toString());
                }
            }
        }
        return out;
    }

    private static String scalar(PgCluster c, String db, String sql) throws SQLException {
        try (Connection conn = c.connect(db)) {
            return Sql.queryString(conn, sql);
        }
    }

    /**
     * {@code pg_dump --schema-only --schema=public}, cut into its entries ("name; Type: …" → text), without
     * the other app's objects: what a person comparing the two databases' Archon schema would look at.
     */
    static Map<String, String> archonDump(PgCluster c, String db) throws IOException, InterruptedException {
        Path out = Files.createTempFile("schema", ".sql");
        try {
            ProcessBuilder pb = new ProcessBuilder(c.binDir().resolve("pg_dump").toString(), "--schema-only", "--schema=public",
                    "--no-owner", "-h", c.host(), "-p", Integer.toString(c.port()), "-U", c.user(), "-d", db, "-f", out.toString());
            pb.environment().put("PGPASSWORD", c.password());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
            Map<String, String> entries = new TreeMap<>();
            String key = null;
            StringBuilder body = new StringBuilder();
            for (String line : Files.readAllLines(out)) {
                if (line.startsWith("-- Name: ")) {
                    if (key != null) {
                        entries.merge(key, body.toString().trim(), (a, b) -> a + "\n" + b);
                    }
                    key = line.substring("-- Name: ".length()).replaceAll("; Owner: .*", "");
                    body.setLength(0);
                } else if (key != null && !line.startsWith("\\") && !line.startsWith("--")) {
                    body.append(line).append('\n');
                }
            }
            if (key != null) {
                entries.merge(key, body.toString().trim(), (a, b) -> a + "\n" + b);
            }
            entries.keySet().removeIf(k -> k.contains("other_app"));
            entries.replaceAll((k, v) -> reparsed(v));
            return entries;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
