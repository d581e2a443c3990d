package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.ArchonFixture;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, an existing target with an older Archon: a function, a policy and a view differ and the target
 * has a function the source dropped. Compare and the dry run report it; a sync refuses with the list; with
 * {@code "schema": true} the source's definitions come along in the same transaction, the target-only
 * function stays, and the smoke test runs.
 */
class SchemaDriftTest {
    private static final String ARCHIVE_TASK = "SELECT pg_get_functiondef('public.archive_task(uuid, text)'::regprocedure)";
    private static final String POLICY = "SELECT qual FROM pg_policies WHERE tablename = 'archon_crawl_state' "
            + "AND policyname = 'Allow public read access to crawl state'";
    private final EngineHarness h = new EngineHarness();

    @Test
    void olderFunctionsOnTheTargetAreReportedRefusedAndBroughtAlongOnRequest() throws Exception {
        h.reset("tpl_small", "tpl_small");
        exec(h.remote(), REMOTE_DB, ArchonFixture.sql("archon-functions.sql"));
        exec(h.local(), LOCAL_DB, ArchonFixture.sql("archon-functions.sql"),
                // an older Archon: archive_task did not archive subtasks yet, a policy and a view were different
                "CREATE OR REPLACE FUNCTION public.archive_task(task_id_param uuid, archived_by_param text DEFAULT 'system') "
                        + "RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN UPDATE public.archon_tasks SET archived = true "
                        + "WHERE id = task_id_param; RETURN FOUND; END $$",
                "ALTER POLICY \"Allow public read access to crawl state\" ON public.archon_crawl_state USING (status <> 'paused')",
                "CREATE OR REPLACE VIEW public.open_task_counts AS SELECT project_id, count(*) AS open_tasks "
                        + "FROM public.archon_tasks WHERE status <> 'done' GROUP BY project_id",
                "CREATE FUNCTION public.archon_old_helper() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$");

        DatabaseComparison.Result compare = DatabaseComparison.compare(h.settings());
        String drift = compare.schemaDrift().toString();
        for (String expected : List.of("function public.archive_task(task_id_param uuid, archived_by_param text) differs",
                "policy Allow public read access to crawl state ON public.archon_crawl_state differs",
                "view public.open_task_counts differs", "function public.archon_old_helper() exists only on local")) {
            assertTrue(drift.contains(expected), expected + " in " + drift);
        }
        assertEquals(4, compare.schemaDrift().size(), drift);
        assertTrue(compare.remoteToLocal().startsWith("needs \"schema\": true"), compare.remoteToLocal());

        DbChecksum localBefore = h.localSum();
        SyncJob dry = EngineHarness.run(h.engine(), SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).force(true).dryRun(true).build());
        assertEquals(SyncStatus.REFUSED, dry.status(), () -> dry.snapshot().toString());
        assertEquals("schema_drift", dry.snapshot().refusals().get(0).code());
        assertTrue(dry.snapshot().refusals().get(0).message().contains("public.archive_task"), dry.snapshot().refusals().toString());

        SyncJob refused = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.REFUSED, refused.status(), () -> refused.snapshot().toString());
        assertEquals(List.of("schema_drift"), refused.snapshot().refusals().stream().map(Refusal::code).toList());
        assertEquals(localBefore, h.localSum(), "nothing was touched");

        SyncJob job = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL).toBuilder().schema(true).build());
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(h.remoteSum().only(TABLE_NAMES).tables(), h.localSum().only(TABLE_NAMES).tables());
        for (String q : List.of(ARCHIVE_TASK, POLICY, "SELECT pg_get_viewdef('public.open_task_counts'::regclass)")) {
            assertEquals(scalar(h.remote(), REMOTE_DB, q), scalar(h.local(), LOCAL_DB, q), q);
        }
        assertNotNull(scalar(h.local(), LOCAL_DB, "SELECT to_regprocedure('public.archon_old_helper()')::text"), "left alone");
        assertEquals(List.of("function public.archon_old_helper() exists only on local"),
                DatabaseComparison.compare(h.settings()).schemaDrift());
        SyncReport.SmokeTestResult smoke = job.report().smokeTest();
        assertNotNull(smoke, () -> job.snapshot().toString());
        assertTrue(smoke.passed(), smoke.message());
    }

    /**
     * Drift a CREATE OR REPLACE cannot fix or does not see (issues 8 and 12): a function whose result type
     * changed, a function the target lacks whose privileges differ from the default, row-level security
     * switched off on one table, a disabled trigger. All reported by compare, all brought along with
     * {@code "schema": true}, and afterwards the two sides have the same definitions and privileges.
     */
    @Test
    void resultTypesPrivilegesRlsSwitchesAndTriggerStatesAreBroughtAlong() throws Exception {
        h.reset("tpl_small", "tpl_small");
        exec(h.remote(), REMOTE_DB, ArchonFixture.sql("archon-functions.sql"));
        exec(h.local(), LOCAL_DB, ArchonFixture.sql("archon-functions.sql"),
                "DROP FUNCTION public.get_embedding_column_name(integer)",
                "CREATE FUNCTION public.get_embedding_column_name(dimension integer) RETURNS varchar LANGUAGE sql AS $$ SELECT 'embedding'::varchar $$",
                "DROP FUNCTION public.archive_task(uuid, text)",
                "ALTER TABLE public.archon_tasks DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE public.archon_tasks DISABLE TRIGGER trigger_log_task_changes");

        List<String> drift = DatabaseComparison.compare(h.settings()).schemaDrift();
        for (String expected : List.of("function public.get_embedding_column_name(dimension integer) differs",
                "function public.archive_task(task_id_param uuid, archived_by_param text) exists only on remote",
                "row-level-security public.archon_tasks differs", "trigger trigger_log_task_changes ON public.archon_tasks differs")) {
            assertTrue(drift.contains(expected), expected + " in " + drift);
        }
        assertEquals(4, drift.size(), drift::toString);

        SyncJob job = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL).toBuilder().schema(true).build());
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(List.of(), DatabaseComparison.compare(h.settings()).schemaDrift());
        for (String q : List.of("SELECT pg_get_function_result('public.get_embedding_column_name(integer)'::regprocedure)",
                effectiveGrants("public.get_embedding_column_name(integer)"), effectiveGrants("public.archive_task(uuid, text)"),
                "SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = 'public.archon_tasks'::regclass",
                "SELECT tgenabled FROM pg_trigger WHERE tgname = 'trigger_log_task_changes'")) {
            assertEquals(scalar(h.remote(), REMOTE_DB, q), scalar(h.local(), LOCAL_DB, q), q);
        }
        assertEquals("authenticated EXECUTE,service_role EXECUTE", scalar(h.local(), LOCAL_DB, "SELECT (SELECT string_agg(grantee::regrole::text "
                + "|| ' ' || privilege_type, ',' ORDER BY 1) FROM pg_proc p, aclexplode(p.proacl) WHERE p.oid = "
                + "'public.archive_task(uuid, text)'::regprocedure AND grantee <> p.proowner)"), "PUBLIC may not execute it, as on the source");
        assertEquals(h.remoteSum().only(TABLE_NAMES).tables(), h.localSum().only(TABLE_NAMES).tables());
    }

    /** Who may execute the function besides its owner (a NULL ACL means the defaults: PUBLIC may). */
    private static String effectiveGrants(String function) {
        return "SELECT (SELECT string_agg(CASE grantee WHEN 0 THEN 'PUBLIC' ELSE grantee::regrole::text END || ' ' || privilege_type, "
                + "',' ORDER BY 1) FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) WHERE p.oid = '"
                + function + "'::regprocedure AND grantee <> p.proowner)";
    }

    private static String scalar(PgCluster c, String db, String sql) throws SQLException {
        try (Connection conn = c.connect(db)) {
            return Sql.queryString(conn, sql);
        }
    }
}
