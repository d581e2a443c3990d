package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.exec;
import static dev.archon.sync.engine.EngineHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.plan.TableSet;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Issue 19: the table set is found (not the 17 of one fork), foreign keys across its edge are refused before
 * any row moves, sides on different Archon versions are told apart by their migrations, and Supabase's API
 * is told of every schema change a sync makes. Small purpose-built schemas made from the fork fixture.
 */
class TableSetTest {
    /** The tables upstream Archon v1 lacks (the fork's own): dropped to make an upstream-like 11-table schema. */
    static final List<String> FORK_ONLY = List.of("archon_agent_work_order_steps", "archon_agent_work_orders",
            "archon_configured_repositories", "archon_task_history", "archon_crawl_state", "archon_llm_pricing");
    static final List<String> UPSTREAM_11 = List.of("archon_settings", "archon_migrations", "archon_prompts", "archon_sources",
            "archon_page_metadata", "archon_crawled_pages", "archon_code_examples", "archon_projects", "archon_tasks",
            "archon_document_versions", "archon_project_sources");
    static final String BACKUP_COPY = "archon_sources_backup_20250101_120000";

    private final EngineHarness h = new EngineHarness();

    /** The default: nothing pinned, the set found on the source. */
    private SyncEngine found(String... exclude) {
        return h.engine(h.settings().withTables(TableSelection.found(List.of(exclude))));
    }

    private static SyncRequest forced(Direction d) {
        return SyncRequest.sync(d, Trigger.MANUAL).force(true).build();
    }

    private static Map<String, String> leftOut(SyncJob job) {
        Map<String, String> out = new TreeMap<>();
        job.snapshot().leftOut().forEach(l -> out.put(l.table(), l.why()));
        return out;
    }

    private static String dropForkOnly() {
        return FORK_ONLY.stream().map(t -> "DROP TABLE public." + t + " CASCADE").collect(Collectors.joining("; "));
    }

    @Test
    void defaultSetOnAnUpstreamLikeSchemaCompletesBothDirectionsLeavingBackupCopiesLogsAndTargetOnlyTablesAlone() {
        h.reset("tpl_small", "tpl_small");
        exec(h.local(), LOCAL_DB, dropForkOnly(), "INSERT INTO archon_mcp_sessions (session_id, client_type, status) "
                + "SELECT gen_random_uuid(), 'local-client', 'active' FROM generate_series(1, 3)",
                "CREATE TABLE archon_local_notes (id int PRIMARY KEY, note text)", "INSERT INTO archon_local_notes VALUES (1, 'mine')");
        exec(h.remote(), REMOTE_DB, dropForkOnly(), "CREATE TABLE " + BACKUP_COPY + " AS SELECT * FROM archon_sources",
                "UPDATE archon_sources SET title = coalesce(title, '') || ' (remote)' WHERE source_id IN "
                        + "(SELECT source_id FROM archon_sources ORDER BY source_id LIMIT 3)",
                "UPDATE archon_projects SET title = title || ' (remote)'");
        DbChecksum localBefore = h.localSum();

        SyncJob toLocal = run(found(), forced(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, toLocal.status(), () -> toLocal.snapshot().toString());
        assertEquals(UPSTREAM_11.stream().sorted().toList(), toLocal.plan().tableNames().stream().map(Object::toString).sorted().toList());
        assertEquals(h.remoteSum().only(UPSTREAM_11), h.localSum().only(UPSTREAM_11), "every table of the set checksum-identical");
        Map<String, String> why = leftOut(toLocal);
        assertEquals(TableSet.BACKUP_COPY, why.get(BACKUP_COPY), why::toString);
        assertEquals(TableSet.PER_MACHINE_LOG, why.get("archon_mcp_sessions"), why::toString);
        assertEquals(TableSet.PER_MACHINE_LOG, why.get("archon_mcp_requests"), why::toString);
        assertEquals(TableSet.ONLY_ON_TARGET, why.get("archon_local_notes"), why::toString);
        List<String> untouched = List.of("archon_mcp_sessions", "archon_mcp_requests", "archon_local_notes");
        assertEquals(localBefore.only(untouched), h.localSum().only(untouched), "logs and the target-only table left alone");
        assertFalse(h.localSum().tables().containsKey(BACKUP_COPY), "a backup copy is never synced");

        // the other direction, once the local-only table is gone (on the source it would be synced)
        exec(h.local(), LOCAL_DB, "DROP TABLE archon_local_notes", "UPDATE archon_prompts SET prompt = prompt || ' (local)'");
        DbChecksum remoteLogs = h.remoteSum().only(List.of("archon_mcp_sessions", "archon_mcp_requests", BACKUP_COPY));
        SyncJob toRemote = run(found(), forced(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, toRemote.status(), () -> toRemote.snapshot().toString());
        assertEquals(h.localSum().only(UPSTREAM_11), h.remoteSum().only(UPSTREAM_11));
        assertEquals(remoteLogs, h.remoteSum().only(List.of("archon_mcp_sessions", "archon_mcp_requests", BACKUP_COPY)));
        assertEquals(TableSet.BACKUP_COPY, leftOut(toRemote).get(BACKUP_COPY));
    }

    @Test
    void compareAgreesWithItsTablesOnAnUpstreamLikeSchemaAndSaysWhatIsLeftOut() throws Exception {
        h.reset("tpl_small", "tpl_small");
        exec(h.local(), LOCAL_DB, dropForkOnly(), "CREATE TABLE " + BACKUP_COPY + " AS SELECT * FROM archon_sources");
        exec(h.remote(), REMOTE_DB, dropForkOnly(), "DROP TABLE archon_project_sources");
        DatabaseComparison.Result r = DatabaseComparison.compare(h.settings().withTables(TableSelection.found(List.of())));
        assertEquals(UPSTREAM_11.stream().sorted().toList(), r.tables().stream().map(DatabaseComparison.TableComparison::table).sorted().toList());
        DatabaseComparison.TableComparison ps = r.tables().stream().filter(t -> t.table().equals("archon_project_sources")).findFirst()
                .orElseThrow();
        assertTrue(ps.localToRemote().startsWith("needs \"schema\": true: creates the table"), ps::toString);
        assertTrue(ps.remoteToLocal().startsWith("left out: " + TableSet.ONLY_ON_TARGET), ps::toString);
        assertTrue(r.localToRemote().startsWith("needs \"schema\": true (the target lacks archon_project_sources)"), r::localToRemote);
        assertTrue(r.remoteToLocal().startsWith("safe"), r::remoteToLocal);
        assertTrue(r.leftOut().contains(new TableSet.LeftOut(BACKUP_COPY, TableSet.BACKUP_COPY)), r.leftOut()::toString);
        assertTrue(r.leftOut().contains(new TableSet.LeftOut("archon_mcp_sessions", TableSet.PER_MACHINE_LOG)), r.leftOut()::toString);
    }

    @Test
    void foreignKeyToAnUnsyncedParentIsRefusedInPreflightNamingTheTables() {
        h.reset("tpl_small", "tpl_small");
        // like the fork's develop schema: workflow stages seeded with random ids on each machine
        for (PgCluster c : List.of(h.local(), h.remote())) {
            String db = c == h.local() ? LOCAL_DB : REMOTE_DB;
            exec(c, db, "CREATE TABLE archon_workflow_stages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text)",
                    "INSERT INTO archon_workflow_stages (name) VALUES ('todo'), ('doing'), ('done')",
                    "ALTER TABLE archon_tasks ADD COLUMN workflow_stage_id uuid REFERENCES archon_workflow_stages (id)");
        }
        exec(h.remote(), REMOTE_DB, "UPDATE archon_tasks SET workflow_stage_id = (SELECT id FROM archon_workflow_stages "
                + "WHERE name = 'doing')");
        DbChecksum local = h.localSum();
        SyncJob job = run(found("archon_workflow_stages"), forced(Direction.REMOTE_TO_LOCAL));
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.REFUSED, end.status(), end::toString);
        assertEquals(Phase.VALIDATING, end.phase(), "refused before any row moved");
        Refusal r = end.refusals().stream().filter(x -> x.code().equals("foreign_key_to_unsynced")).findFirst()
                .orElseThrow(() -> new AssertionError(end.refusals().toString()));
        assertTrue(r.message().contains("archon_tasks(workflow_stage_id) → archon_workflow_stages"), r.message());
        assertTrue(r.message().contains("Add them all at once — archon_workflow_stages —"), r.message());
        assertEquals(TableSet.EXCLUDED, leftOut(job).get("archon_workflow_stages"));
        assertEquals(local, h.localSum(), "target untouched");

        // the same stage ids on both sides: nothing dangles, the sync goes ahead
        exec(h.local(), LOCAL_DB, "UPDATE archon_tasks SET workflow_stage_id = NULL", "DELETE FROM archon_workflow_stages",
                "INSERT INTO archon_workflow_stages VALUES " + stageRows());
        SyncJob again = run(found("archon_workflow_stages"), forced(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, again.status(), () -> again.snapshot().toString());
    }

    /** The remote's stage rows as a VALUES list. */
    private String stageRows() {
        List<String> rows = new ArrayList<>();
        try (Connection c = h.remote().connect(REMOTE_DB); Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT id, name FROM archon_workflow_stages ORDER BY name")) {
            while (rs.next()) {
                rows.add("('" + rs.getString(1) + "'::uuid, '" + rs.getString(2) + "')");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return String.join(", ", rows);
    }

    @Test
    void freshTargetWithAForeignKeyFromOutsideTheSetIsRefusedInTheDryRun() {
        h.clusters.reset(h.remote(), REMOTE_DB, "tpl_small");
        h.clusters.reset(h.local(), LOCAL_DB, "tpl_supabase");
        exec(h.remote(), REMOTE_DB, "CREATE TABLE archon_bookmarks (id int PRIMARY KEY, source_id text REFERENCES archon_sources (source_id))");
        SyncJob job = run(found("archon_bookmarks"), SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).dryRun(true).build());
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.REFUSED, end.status(), end::toString);
        Refusal r = end.refusals().stream().filter(x -> x.code().equals("foreign_key_from_outside")).findFirst()
                .orElseThrow(() -> new AssertionError(end.refusals().toString()));
        assertTrue(r.message().contains("archon_bookmarks"), r.message());
        assertTrue(r.message().contains("archon_sources"), r.message());
    }

    @Test
    void onePgrstNotificationAfterAFreshTargetCommitAndNoneAfterARollback() throws Exception {
        h.clusters.reset(h.remote(), REMOTE_DB, "tpl_small");
        h.clusters.reset(h.local(), LOCAL_DB, "tpl_supabase");
        try (Connection listener = listen(h.local(), LOCAL_DB)) {
            // rolled back: cancelled while the indexes are rebuilt, after the DDL ran in the load transaction
            SyncJob job = new SyncJob(forced(Direction.REMOTE_TO_LOCAL));
            AtomicBoolean cancelled = new AtomicBoolean();
            job.subscribe(e -> {
                if (!e.status().isFinal() && e.phase() == Phase.INDEXING && cancelled.compareAndSet(false, true)) {
                    job.cancelSignal().cancel();
                }
            });
            found().start(job);
            EngineHarness.awaitEnd(job);
            assertEquals(SyncStatus.CANCELLED, job.status(), () -> job.snapshot().toString());
            assertEquals(List.of(), notifications(listener), "no notification after a rollback");

            SyncJob done = run(found(), forced(Direction.REMOTE_TO_LOCAL));
            assertEquals(SyncStatus.COMPLETED, done.status(), () -> done.snapshot().toString());
            assertTrue(done.plan().freshTarget());
            assertEquals(List.of("pgrst: reload schema"), notifications(listener), "one notification after COMMIT");
        }
    }

    @Test
    void sidesOnDifferentArchonVersionsAreRefusedNamingTheMigrationsThenTheSchemaIsBroughtAlong() throws Exception {
        h.reset("tpl_small", "tpl_small");
        exec(h.remote(), REMOTE_DB, "CREATE TABLE archon_sprints (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "
                        + "project_id uuid NOT NULL REFERENCES archon_projects (id) ON DELETE CASCADE, name text NOT NULL)",
                "CREATE INDEX idx_archon_sprints_project ON archon_sprints (project_id)",
                "INSERT INTO archon_sprints (project_id, name) SELECT id, 'sprint of ' || title FROM archon_projects",
                "INSERT INTO archon_migrations (version, migration_name) VALUES ('0.5.0', '001_add_sprints')");
        SyncJob refused = run(found(), forced(Direction.REMOTE_TO_LOCAL));
        ProgressEvent end = refused.snapshot();
        assertEquals(SyncStatus.REFUSED, end.status(), end::toString);
        Refusal r = end.refusals().stream().filter(x -> x.code().equals("table_missing_on_target")).findFirst()
                .orElseThrow(() -> new AssertionError(end.refusals().toString()));
        for (String m : List.of("archon_sprints", "0.5.0/001_add_sprints", "--with-schema", "Bring the schema along", "\"schema\": true")) {
            assertTrue(r.message().contains(m), () -> m + " in " + r.message());
        }

        try (Connection listener = listen(h.local(), LOCAL_DB)) {
            SyncJob job = run(found(), forced(Direction.REMOTE_TO_LOCAL).toBuilder().schema(true).build());
            assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
            assertEquals("created on the target", job.plan().tables().stream().filter(t -> t.table().name().equals("archon_sprints"))
                    .findFirst().orElseThrow().why());
            assertEquals(h.remoteSum().only(List.of("archon_sprints", "archon_migrations", "archon_projects")),
                    h.localSum().only(List.of("archon_sprints", "archon_migrations", "archon_projects")));
            assertEquals(List.of("pgrst: reload schema"), notifications(listener));
            assertTrue(job.snapshot().notices().stream().anyMatch(n -> n.code().equals("schema_brought_along")
                    && n.message().contains("archon_sprints")), () -> job.snapshot().notices().toString());
        }
        try (Connection c = h.local().connect(LOCAL_DB); Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_archon_sprints_project'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "its index came along");
        }
    }

    @Test
    void differingColumnsStayARefusalNamingTheMigration() {
        h.reset("tpl_small", "tpl_small");
        exec(h.remote(), REMOTE_DB, "ALTER TABLE archon_tasks ADD COLUMN sprint_id uuid",
                "INSERT INTO archon_migrations (version, migration_name) VALUES ('0.5.0', '002_tasks_sprint_id')");
        SyncJob job = run(found(), forced(Direction.REMOTE_TO_LOCAL).toBuilder().schema(true).build());
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.REFUSED, end.status(), end::toString);
        Refusal r = end.refusals().stream().filter(x -> x.code().equals("column_drift")).findFirst()
                .orElseThrow(() -> new AssertionError(end.refusals().toString()));
        assertTrue(r.message().contains("archon_tasks.sprint_id"), r.message());
        assertTrue(r.message().contains("0.5.0/002_tasks_sprint_id"), r.message());
    }

    private static Connection listen(PgCluster c, String db) throws SQLException {
        Connection conn = c.connect(db);
        conn.setAutoCommit(true);
        try (Statement st = conn.createStatement()) {
            st.execute("LISTEN pgrst");
        }
        return conn;
    }

    /** The notifications delivered so far: a round trip first, so whatever was committed before has arrived. */
    private static List<String> notifications(Connection listener) throws SQLException {
        try (Statement st = listener.createStatement()) {
            st.execute("SELECT 1");
        }
        List<String> out = new ArrayList<>();
        PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications();
        if (got != null) {
            for (PGNotification n : got) {
                out.add(n.getName() + ": " + n.getParameter());
            }
        }
        return out;
    }
}
