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
        SyncJob dry = EngineHarness.run(h.engine(), new SyncRequest(Direction.REMOTE_TO_LOCAL, true, false, true, Trigger.MANUAL));
        assertEquals(SyncStatus.REFUSED, dry.status(), () -> dry.snapshot().toString());
        assertEquals("schema_drift", dry.snapshot().refusals().get(0).code());
        assertTrue(dry.snapshot().refusals().get(0).message().contains("public.archive_task"), dry.snapshot().refusals().toString());

        SyncJob refused = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.REFUSED, refused.status(), () -> refused.snapshot().toString());
        assertEquals(List.of("schema_drift"), refused.snapshot().refusals().stream().map(Refusal::code).toList());
        assertEquals(localBefore, h.localSum(), "nothing was touched");

        SyncJob job = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL).withSchema(true));
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

    private static String scalar(PgCluster c, String db, String sql) throws SQLException {
        try (Connection conn = c.connect(db)) {
            return Sql.queryString(conn, sql);
        }
    }
}
