package dev.archon.sync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the fixture itself: templates, hostile values, sequences, checksums and real triggers. */
class FixtureTest {

    static TestClusters tc;

    @BeforeAll
    static void clusters() {
        tc = TestClusters.get();
    }

    @Test
    void templatesLoad() throws SQLException {
        for (PgCluster c : List.of(tc.remote(), tc.local())) {
            assertEquals(15, c.majorVersion());
            // another class loader's view of the same cluster (see TestClusters): usable, never stops it
            PgCluster attached = PgCluster.attach(c.describe());
            try (Connection conn = attached.connect("postgres")) {
                assertEquals(1L, count(conn, "SELECT 1"));
            }
            attached.close();
            try (Connection conn = c.connect("postgres")) {
                assertEquals(4L, count(conn, "SELECT count(*) FROM pg_database WHERE datistemplate "
                        + "AND datname IN ('tpl_big', 'tpl_small', 'tpl_schema', 'tpl_supabase')"));
            }
            try (Connection conn = c.connect(TestClusters.SUPABASE)) {
                assertEquals(0L, count(conn, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'archon%'"));
                assertEquals(3L, count(conn, "SELECT count(*) FROM pg_extension e JOIN pg_namespace n "
                        + "ON n.oid = e.extnamespace WHERE n.nspname = 'extensions' "
                        + "AND e.extname IN ('vector', 'pgcrypto', 'pg_trgm')"));
                assertEquals(1L, count(conn, "SELECT count(*) FROM pg_proc WHERE oid = 'auth.uid'::regproc"));
            }
            DbChecksum schema = tc.templateChecksum(c, TestClusters.SCHEMA);
            assertEquals(19, schema.tables().size(), schema.toString());
            schema.tables().keySet().forEach(t -> assertEquals(0, schema.rows(t), t));
            try (Connection conn = c.connect(TestClusters.SCHEMA)) {
                assertEquals(19L, count(conn, "SELECT count(*) FROM pg_class WHERE relname LIKE 'archon\\_%' "
                        + "AND relkind = 'r' AND relrowsecurity AND NOT relforcerowsecurity"));
                assertEquals("page_id", string(conn, "SELECT attname FROM pg_attribute WHERE attrelid = "
                        + "'public.archon_crawled_pages'::regclass AND attnum > 0 ORDER BY attnum DESC LIMIT 1"));
                assertEquals(2L, count(conn, "SELECT count(*) FROM pg_views WHERE viewname LIKE 'archon_mcp_%'"));
            }
            try (Connection conn = c.connect(TestClusters.BIG)) {
                // the generator removed itself: only Archon's objects remain
                assertEquals(0L, count(conn, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'archon_fixture%'"));
                assertEquals(1L, count(conn, "SELECT count(*) FROM pg_indexes WHERE indexname = "
                        + "'idx_archon_crawled_pages_embedding_1536' AND indexdef LIKE '%ivfflat%lists=''100''%'"));
            }
        }
    }

    /**
     * Each Archon version's fixture has the tables that version's install creates (plus what is never
     * synced: per-machine logs, backup copies), rows in every synced table, embeddings, and the Supabase
     * objects its SQL relies on; the two sides differ.
     */
    @Test
    void versionTemplatesLoad() throws SQLException {
        Map<ArchonVersion, Long> archonTables = Map.of(ArchonVersion.V1_STABLE, 11L, ArchonVersion.V1_WORK_ORDERS, 14L,
                ArchonVersion.V1_BACKUP_COPIES, 15L, ArchonVersion.FORK, 19L, ArchonVersion.FORK_DEVELOP, 30L);
        for (ArchonVersion v : ArchonVersion.values()) {
            String tpl = tc.template(tc.remote(), v);
            DbChecksum remote = tc.templateChecksum(tc.remote(), tpl);
            DbChecksum local = tc.templateChecksum(tc.local(), tc.template(tc.local(), v));
            assertEquals(archonTables.get(v), (long) remote.tables().size(), v + ": " + remote);
            for (String t : v.tables()) {
                assertTrue(remote.rows(t) > 0, v + ": empty " + t);
                assertEquals(remote.rows(t) > 0, local.rows(t) > 0, t);
            }
            assertNotEquals(remote.tables(), local.tables(), v + ": both sides hold the same rows");
            assertTrue(remote.rows("archon_crawled_pages") >= 150 && remote.rows("archon_crawled_pages") <= 1000, v + ": " + remote);
            try (Connection conn = tc.remote().connect(tpl)) {
                assertEquals(0L, count(conn, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'archon_fixture%'"), v.name());
                assertTrue(count(conn, "SELECT count(*) FROM public.archon_crawled_pages WHERE embedding_1536 IS NOT NULL") > 0, v.name());
                // no GRANT in the version's SQL: Supabase's default privileges gave the API roles the tables
                assertEquals(1L, count(conn, "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'service_role' "
                        + "AND table_name = 'archon_settings' AND privilege_type = 'SELECT'"), v.name());
                assertEquals(2L, count(conn, "SELECT count(*) FROM pg_event_trigger WHERE evtname IN ('pgrst_ddl_watch', 'pgrst_drop_watch') "
                        + "AND evtenabled = 'O'"), v.name());
            }
        }
        try (Connection conn = tc.remote().connect(ArchonVersion.V1_STABLE.template())) {
            assertEquals(11L, count(conn, "SELECT count(*) FROM public.archon_migrations"));
            assertEquals(2L, count(conn, "SELECT count(*) FROM public.archon_settings WHERE encrypted_value IS NOT NULL"));
            // written as upstream writes it: the vector type found through the search_path, i.e. in extensions
            assertEquals("extensions", string(conn, "SELECT n.nspname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                    + "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE a.attrelid = 'public.archon_crawled_pages'::regclass "
                    + "AND a.attname = 'embedding_1536'"));
        }
        try (Connection conn = tc.remote().connect(ArchonVersion.V1_BACKUP_COPIES.template())) {
            assertEquals(4L, count(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    + "AND tablename ~ '^archon_.*_backup_[0-9]+_[0-9]+$'"));
        }
        // the develop migration seeds its stages with gen_random_uuid(): each machine has its own ids
        List<String> stages = new ArrayList<>();
        for (PgCluster c : List.of(tc.remote(), tc.local())) {
            try (Connection conn = c.connect(tc.template(c, ArchonVersion.FORK_DEVELOP))) {
                stages.add(string(conn, "SELECT string_agg(id::text, ',' ORDER BY id) FROM public.archon_workflow_stages"));
                assertTrue(count(conn, "SELECT count(*) FROM public.archon_tasks WHERE workflow_stage_id IS NOT NULL") > 0);
                assertTrue(count(conn, "SELECT count(*) FROM public.archon_sync_history") > 0);
                assertEquals("extensions", string(conn, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'ltree'"));
            }
        }
        assertNotEquals(stages.get(0), stages.get(1));
    }

    @Test
    void bigTemplateHasEnoughRows() {
        for (PgCluster c : List.of(tc.remote(), tc.local())) {
            DbChecksum big = tc.templateChecksum(c, TestClusters.BIG);
            assertTrue(big.rows("archon_crawled_pages") >= 20_000, big.toString());
            assertEquals(78, big.rows("archon_settings"));
            assertEquals(19, big.tables().size());
            big.tables().keySet().forEach(t -> assertTrue(big.rows(t) > 0, "empty " + t));
            System.out.println("[fixture] " + c.name() + "/" + TestClusters.BIG + " " + big);
        }
        long t0 = System.nanoTime();
        tc.reset(tc.remote(), "fx_big", TestClusters.BIG);
        System.out.printf("[fixture] copy of %s (CREATE DATABASE ... TEMPLATE) took %.1f s; templates took %.1f s%n",
                TestClusters.BIG, (System.nanoTime() - t0) / 1e9, tc.templateMillis() / 1000.0);
        assertEquals(tc.templateChecksum(tc.remote(), TestClusters.BIG), DbChecksum.of(tc.remote(), "fx_big"));
        tc.remote().dropDatabase("fx_big");
        // different seeds: the two sides differ in content, not in shape
        assertNotEquals(tc.templateChecksum(tc.remote(), TestClusters.BIG).tables(),
                tc.templateChecksum(tc.local(), TestClusters.BIG).tables());
    }

    @Test
    void hostileValuesArePresent() throws SQLException {
        Map<String, String> q = new LinkedHashMap<>();
        String cp = "SELECT count(*) FROM archon_crawled_pages WHERE ";
        q.put("single quote", cp + "content LIKE '%''%'");
        q.put("double quote", cp + "content LIKE '%\"%'");
        q.put("backslash", cp + "strpos(content, chr(92)) > 0");
        q.put("tab", cp + "strpos(content, chr(9)) > 0");
        q.put("CR alone", cp + "content ~ '\\r[^\\n]'");
        q.put("LF", cp + "strpos(content, chr(10)) > 0");
        q.put("CRLF", cp + "strpos(content, chr(13) || chr(10)) > 0");
        q.put("line that is exactly \\.", cp + "strpos(content, chr(10) || '\\.' || chr(10)) > 0");
        q.put("value exactly \\.", cp + "content = '\\.'");
        q.put("value exactly \\N", cp + "content = '\\N'");
        q.put("\\N inside text", cp + "content LIKE '%inline \\\\N%'");
        q.put("emoji", cp + "content LIKE '%😀%'");
        q.put("astral 𝔘", cp + "content LIKE '%𝔘%'");
        q.put("astral 𠜎", cp + "content LIKE '%𠜎%'");
        q.put("control chars", cp + "strpos(content, chr(7)) > 0");
        q.put("hostile jsonb", cp + "metadata->>'hostile' LIKE '%😀%'");
        q.put("jsonb key with quotes", cp + "metadata ? 'key with \"quotes\" \\ and 😀'");
        q.put("crawled_pages: NULL embeddings", cp + "embedding_1536 IS NULL AND embedding_768 IS NULL "
                + "AND embedding_384 IS NULL AND embedding_1024 IS NULL AND embedding_3072 IS NULL");
        q.put("crawled_pages: '' and NULL llm_chat_model",
                "SELECT min(n) FROM (SELECT count(*) FILTER (WHERE llm_chat_model = '') n FROM archon_crawled_pages "
                + "UNION ALL SELECT count(*) FILTER (WHERE llm_chat_model IS NULL) FROM archon_crawled_pages) x");
        q.put("crawled_pages: infinity", cp + "created_at = 'infinity'");
        q.put("crawled_pages: -11 zone", cp + "created_at = '1999-12-31 23:59:59.999999-11'");
        q.put("crawled_pages: page_id NULL", cp + "page_id IS NULL");
        q.put("1 MiB page", "SELECT count(*) FROM archon_page_metadata WHERE length(full_content) >= 1048576");
        q.put("1 MiB prompt", "SELECT count(*) FROM archon_prompts WHERE length(prompt) >= 1048576");
        q.put("sources: '' and NULL summary", "SELECT min(n) FROM (SELECT count(*) FILTER (WHERE summary = '') n "
                + "FROM archon_sources UNION ALL SELECT count(*) FILTER (WHERE summary IS NULL) FROM archon_sources) x");
        q.put("sources: jsonb 'null' and SQL NULL", "SELECT min(n) FROM (SELECT count(*) FILTER (WHERE metadata = "
                + "'null'::jsonb) n FROM archon_sources UNION ALL SELECT count(*) FILTER (WHERE metadata IS NULL) "
                + "FROM archon_sources) x");
        q.put("sessions: jsonb 'null' and SQL NULL", "SELECT min(n) FROM (SELECT count(*) FILTER (WHERE "
                + "client_capabilities = 'null'::jsonb) n FROM archon_mcp_sessions UNION ALL SELECT count(*) FILTER "
                + "(WHERE client_capabilities IS NULL) FROM archon_mcp_sessions) x");
        q.put("settings: value \\N", "SELECT count(*) FROM archon_settings WHERE value = '\\N'");
        q.put("settings: +05:45 zone", "SELECT count(*) FROM archon_settings WHERE updated_at = '2024-03-10 02:30:00+05:45'");
        q.put("tasks: infinity", "SELECT count(*) FROM archon_tasks WHERE archived_at = 'infinity'");
        q.put("tasks: self-reference", "SELECT count(*) FROM archon_tasks t JOIN archon_tasks p ON p.id = t.parent_task_id "
                + "WHERE p.parent_task_id IS NOT NULL");
        q.put("task_history: -infinity", "SELECT count(*) FROM archon_task_history WHERE changed_at = '-infinity'");
        q.put("steps: NaN", "SELECT count(*) FROM archon_agent_work_order_steps WHERE duration_seconds = 'NaN'");
        q.put("steps: Infinity", "SELECT count(*) FROM archon_agent_work_order_steps WHERE duration_seconds = 'Infinity'");
        q.put("steps: -Infinity", "SELECT count(*) FROM archon_agent_work_order_steps WHERE duration_seconds = '-Infinity'");
        q.put("steps: -0", "SELECT count(*) FROM archon_agent_work_order_steps WHERE duration_seconds = 0 "
                + "AND duration_seconds::text = '-0'");
        q.put("pricing: numeric(10,6) max", "SELECT count(*) FROM archon_llm_pricing WHERE input_price_per_1k = 9999.999999 "
                + "AND output_price_per_1k = -9999.999999");
        q.put("pricing: numeric 1e-6", "SELECT count(*) FROM archon_llm_pricing WHERE input_price_per_1k = 0.000001");
        q.put("pricing: numeric NaN", "SELECT count(*) FROM archon_llm_pricing WHERE input_price_per_1k = 'NaN'");
        q.put("pricing: date infinity", "SELECT count(*) FROM archon_llm_pricing WHERE effective_date = 'infinity'");
        q.put("project_sources: dangling source_id", "SELECT count(*) FROM archon_project_sources ps WHERE NOT EXISTS "
                + "(SELECT 1 FROM archon_sources s WHERE s.source_id = ps.source_id)");
        q.put("requests: generated total_tokens", "SELECT count(*) FROM archon_mcp_requests WHERE total_tokens = "
                + "prompt_tokens + completion_tokens");

        for (String tpl : List.of(TestClusters.SMALL, TestClusters.BIG)) {
            try (Connection c = tc.local().connect(tpl)) {
                List<String> missing = new ArrayList<>();
                for (var e : q.entrySet()) {
                    if (count(c, e.getValue()) <= 0) missing.add(e.getKey());
                }
                assertTrue(missing.isEmpty(), tpl + " lacks hostile values: " + missing);
            }
        }
    }

    @Test
    void sequencesAreAheadOfMaxId() throws SQLException {
        try (Connection c = tc.remote().connect(TestClusters.SMALL)) {
            Set<String> states = new java.util.HashSet<>();
            for (String t : List.of("archon_crawled_pages", "archon_code_examples", "archon_llm_pricing")) {
                long max = count(c, "SELECT max(id) FROM " + t);
                String seq = string(c, "SELECT pg_get_serial_sequence('public." + t + "', 'id')");
                long last = count(c, "SELECT last_value FROM " + seq);
                assertTrue(last > max, seq + " " + last + " <= max(id) " + max);
                states.add(string(c, "SELECT is_called::text FROM " + seq));
            }
            assertEquals(Set.of("true", "false"), states, "both is_called states must occur");
        }
    }

    @Test
    void checksumsSeeCopiesEqualAndOneRowChanged() throws SQLException {
        PgCluster r = tc.remote();
        tc.reset(r, "fx_a", TestClusters.SMALL);
        tc.reset(r, "fx_b", TestClusters.SMALL);
        DbChecksum a = DbChecksum.of(r, "fx_a");
        DbChecksum b = DbChecksum.of(r, "fx_b");
        assertEquals(a, b, a.diff(b));
        assertEquals(tc.templateChecksum(r, TestClusters.SMALL), a);

        r.exec("fx_b", "UPDATE archon_crawled_pages SET content = content || ' ' "
                + "WHERE id = (SELECT max(id) FROM archon_crawled_pages)");
        DbChecksum changed = DbChecksum.of(r, "fx_b");
        assertNotEquals(a, changed);
        assertEquals(Set.of("archon_crawled_pages"), differingTables(a, changed), a.diff(changed));
        assertEquals(a.without(List.of("archon_crawled_pages")), changed.without(List.of("archon_crawled_pages")));
        assertEquals(a.only(List.of("archon_sources")), changed.only(List.of("archon_sources")));

        // a sequence state alone is seen too
        r.exec("fx_a", "SELECT setval('archon_llm_pricing_id_seq', last_value, NOT is_called) FROM archon_llm_pricing_id_seq");
        DbChecksum seq = DbChecksum.of(r, "fx_a");
        assertEquals(b.tables(), seq.tables());
        assertNotEquals(b.sequences(), seq.sequences());

        // a checksum inside a caller's transaction leaves the caller's settings alone
        try (Connection c = r.connect("fx_a")) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL TimeZone = 'Asia/Kathmandu'");
            }
            assertEquals(seq, DbChecksum.of(c));
            assertEquals("Asia/Kathmandu", string(c, "SHOW TimeZone"));
            c.rollback();
        }
        r.dropDatabase("fx_a");
        r.dropDatabase("fx_b");
    }

    @Test
    void generationIsDeterministic() throws SQLException {
        PgCluster l = tc.local();
        for (String db : List.of("fx_det1", "fx_det2")) {
            tc.reset(l, db, TestClusters.SCHEMA);
            try (Connection c = l.connect(db)) {
                ArchonFixture.generate(c, 0.002, 42);
            }
        }
        DbChecksum one = DbChecksum.of(l, "fx_det1");
        DbChecksum two = DbChecksum.of(l, "fx_det2");
        assertEquals(one, two, one.diff(two));
        l.dropDatabase("fx_det1");
        l.dropDatabase("fx_det2");
    }

    @Test
    void triggersAreReal() throws SQLException {
        PgCluster l = tc.local();
        tc.reset(l, "fx_trg", TestClusters.SMALL);
        try (Connection c = l.connect("fx_trg")) {
            String id = string(c, "SELECT id::text FROM archon_tasks WHERE status <> 'done' ORDER BY id LIMIT 1");
            long before = count(c, "SELECT count(*) FROM archon_task_history WHERE task_id = '" + id + "'");
            exec(c, "UPDATE archon_tasks SET status = 'done' WHERE id = '" + id + "'");
            assertEquals(before + 1, count(c, "SELECT count(*) FROM archon_task_history WHERE task_id = '" + id + "'"));
            assertEquals("done", string(c, "SELECT new_value FROM archon_task_history WHERE task_id = '" + id
                    + "' AND field_name = 'status' ORDER BY changed_at DESC LIMIT 1"));
            // set_task_completed (BEFORE) stamped completion, update_updated_at_column touched updated_at
            assertEquals(1L, count(c, "SELECT count(*) FROM archon_tasks WHERE id = '" + id + "' AND completed_at "
                    + "IS NOT NULL AND completed_by = assignee AND updated_at > now() - interval '1 minute'"));
            exec(c, "UPDATE archon_tasks SET status = 'todo', task_order = task_order + 1, priority = CASE WHEN "
                    + "priority = 'critical' THEN 'low'::task_priority ELSE 'critical'::task_priority END "
                    + "WHERE id = '" + id + "'");
            assertEquals(before + 4, count(c, "SELECT count(*) FROM archon_task_history WHERE task_id = '" + id + "'"));
            assertEquals(1L, count(c, "SELECT count(*) FROM archon_tasks WHERE id = '" + id + "' AND completed_at IS NULL"));

            // update_session_status (AFTER INSERT on archon_mcp_requests) touches the parent session
            String session = string(c, "SELECT session_id::text FROM archon_mcp_sessions WHERE status = 'idle' LIMIT 1");
            exec(c, "INSERT INTO archon_mcp_requests (session_id, method) VALUES ('" + session + "', 'tools/list')");
            assertEquals("active", string(c, "SELECT status FROM archon_mcp_sessions WHERE session_id = '" + session + "'"));
        }
        l.dropDatabase("fx_trg");
    }

    // ------------------------------------------------------------------ helpers

    private static Set<String> differingTables(DbChecksum a, DbChecksum b) {
        Set<String> out = new java.util.TreeSet<>();
        a.tables().forEach((k, v) -> {
            if (!v.equals(b.tables().get(k))) out.add(k);
        });
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private static String string(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
        assertFalse(c.isClosed());
    }
}
