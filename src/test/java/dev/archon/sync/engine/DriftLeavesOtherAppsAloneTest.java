package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: with {@code "schema": true}, a function that is Archon's on the source (it reads Archon's tables)
 * and has a same-signature namesake of another application on the target was replaced, its grants reset to
 * the source's. Drift touches only what the target's own catalog counts as Archon's, like a fresh target's
 * bootstrap, and the sync says it left the other one alone.
 */
class DriftLeavesOtherAppsAloneTest {
    private static final String DEFINITION = "SELECT pg_get_functiondef('public.app_helper()'::regprocedure)";
    private static final String GRANTS = "SELECT coalesce((SELECT string_agg(CASE grantee WHEN 0 THEN 'PUBLIC' ELSE "
            + "grantee::regrole::text END || ' ' || privilege_type, ',' ORDER BY 1) FROM pg_proc p, aclexplode(coalesce(p.proacl, "
            + "acldefault('f', p.proowner))) WHERE p.oid = 'public.app_helper()'::regprocedure AND grantee <> p.proowner), 'none')";
    private final EngineHarness h = new EngineHarness();

    @Test
    void aSameSignatureFunctionOfAnotherAppOnTheTargetIsLeftAlone() throws Exception {
        h.reset("tpl_small", "tpl_small");
        // on the source it is Archon's: it reads Archon's tables
        exec(h.remote(), REMOTE_DB, "CREATE FUNCTION public.app_helper() RETURNS bigint LANGUAGE sql AS "
                + "$$ SELECT count(*) FROM public.archon_sources $$");
        // on the target it is another application's, with its own privileges
        exec(h.local(), LOCAL_DB, "CREATE FUNCTION public.app_helper() RETURNS bigint LANGUAGE sql AS $$ SELECT 42::bigint $$",
                "REVOKE ALL ON FUNCTION public.app_helper() FROM PUBLIC, anon, authenticated", // Supabase's default privileges
                "GRANT EXECUTE ON FUNCTION public.app_helper() TO service_role");
        String definition = scalar(LOCAL_DB, DEFINITION);
        String grants = scalar(LOCAL_DB, GRANTS);
        assertEquals("service_role EXECUTE", grants);
        exec(h.remote(), REMOTE_DB, "UPDATE archon_settings SET value = coalesce(value, '') || ' (cloud)'");

        SyncJob job = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL).toBuilder().schema(true).build());
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(definition, scalar(LOCAL_DB, DEFINITION), "the other application's function is as it was");
        assertEquals(grants, scalar(LOCAL_DB, GRANTS), "and so are its privileges");
        assertTrue(job.report().warnings().stream().anyMatch(w -> w.startsWith("function public.app_helper()")
                && w.contains("another application's object")), "the sync says so: " + job.report().warnings());
    }

    private String scalar(String db, String sql) throws Exception {
        try (Connection c = (db.equals(LOCAL_DB) ? h.local() : h.remote()).connect(db)) {
            return Sql.queryString(c, sql);
        }
    }
}
