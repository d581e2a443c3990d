package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.MCP_TABLES;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static dev.archon.sync.engine.EngineHarness.request;
import static dev.archon.sync.engine.EngineHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.DbChecksum;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Full syncs between two real PostgreSQL clusters, compared by content checksums. */
class SyncEngineTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void remoteToLocalMakesLocalIdenticalAndLeavesMcpTablesAlone() throws SQLException {
        h.reset("tpl_small", "tpl_big");
        DbChecksum remoteBefore = h.remoteSum();
        DbChecksum localBefore = h.localSum();
        assertTrue(rows(remoteBefore, "archon_crawled_pages") >= 20_000, "the big fixture has ≥ 20k embedding rows");
        assertNotEquals(remoteBefore.only(TABLE_NAMES), localBefore.only(TABLE_NAMES));

        SyncJob job = run(h.engine(), request(Direction.REMOTE_TO_LOCAL));

        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        DbChecksum localAfter = h.localSum();
        assertEquals(remoteBefore.only(TABLE_NAMES), localAfter.only(TABLE_NAMES));
        assertEquals(remoteBefore.sequences(), localAfter.sequences());
        assertEquals(localBefore.only(MCP_TABLES).tables(), localAfter.only(MCP_TABLES).tables(), "MCP tables are never touched");
        assertEquals(remoteBefore, h.remoteSum(), "the source is only read");
        assertIvfflatRebuiltOverTheData(job);
        ProgressEvent end = job.snapshot();
        assertEquals(100.0, end.percentComplete());
        assertEquals(Phase.COMPLETED, end.phase());
        assertEquals(17, end.tablesCompleted());
        assertEquals(end.totalRows(), end.rowsSynced());
    }

    @Test
    void localToRemoteThenASecondSyncOverTheNonEmptyTarget() {
        h.reset("tpl_big", "tpl_small");
        SyncJob first = run(h.engine(), request(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, first.status(), () -> first.snapshot().toString());
        DbChecksum local = h.localSum();
        DbChecksum remote = h.remoteSum();
        assertEquals(local.only(TABLE_NAMES), remote.only(TABLE_NAMES));
        assertEquals(local.sequences(), remote.sequences());

        // the user works on, then backs up again: changed, new and deleted rows, a sequence moved on
        exec(h.local(), LOCAL_DB,
                "UPDATE archon_sources SET summary = summary || ' (edited)' WHERE source_id IN (SELECT source_id FROM archon_sources LIMIT 3)",
                "INSERT INTO archon_llm_pricing (model_name, provider, input_price_per_1k, output_price_per_1k) VALUES ('new-model', 'x', 0.1, 0.2)",
                "DELETE FROM archon_task_history WHERE id IN (SELECT id FROM archon_task_history LIMIT 5)",
                "DELETE FROM archon_crawled_pages WHERE id IN (SELECT id FROM archon_crawled_pages ORDER BY id LIMIT 10)",
                "UPDATE archon_tasks SET status = 'done' WHERE id IN (SELECT id FROM archon_tasks LIMIT 2)");
        // fewer rows in the new source: a deliberate replace, so the user forces it
        SyncJob second = run(h.engine(), EngineHarness.forced(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, second.status(), () -> second.snapshot().toString());
        DbChecksum local2 = h.localSum();
        DbChecksum remote2 = h.remoteSum();
        assertNotEquals(local.only(TABLE_NAMES), local2.only(TABLE_NAMES));
        assertEquals(local2.only(TABLE_NAMES), remote2.only(TABLE_NAMES));
        assertEquals(local2.sequences(), remote2.sequences());
    }

    @Test
    void freshTargetGetsTheTablesCreatedAndLoaded() throws SQLException {
        h.reset("tpl_supabase", "tpl_small");
        DbChecksum remote = h.remoteSum();
        SyncJob job = run(h.engine(), request(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertTrue(job.plan().freshTarget());
        DbChecksum local = h.localSum();
        assertEquals(remote.only(TABLE_NAMES), local.only(TABLE_NAMES));
        assertEquals(remote.sequences(), local.sequences());
        // the schema came along whole: triggers, policies, indexes and constraints of the 17 tables
        for (String catalogCount : new String[] {
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relname = ANY(?)",
            "SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relname = ANY(?)",
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = ANY(?)",
            "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relname = ANY(?)",
            "SELECT count(*) FROM pg_class c WHERE c.relrowsecurity AND c.relname = ANY(?)"}) {
            assertEquals(count(h.remote().connect(REMOTE_DB), catalogCount), count(h.local().connect(LOCAL_DB), catalogCount), catalogCount);
        }
        assertTrue(count(h.local().connect(LOCAL_DB),
                "SELECT count(*) FROM pg_class c WHERE c.relname = ANY(?) AND c.relkind = 'r'") == 17);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (c; var ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", TABLE_NAMES.toArray()));
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void assertIvfflatRebuiltOverTheData(SyncJob job) throws SQLException {
        SyncReport.IndexResult ivf = job.report().indexes().stream()
                .filter(i -> i.method().equals("ivfflat") && i.index().contains("1536") && i.table().equals("archon_crawled_pages"))
                .findFirst().orElseThrow(() -> new AssertionError("no ivfflat rebuild reported: " + job.report().indexes()));
        assertNotEquals(ivf.oldRelfilenode(), ivf.newRelfilenode(), "a new index was built");
        try (Connection c = h.local().connect(LOCAL_DB)) {
            assertEquals(ivf.newRelfilenode(), Sql.queryLong(c, "SELECT relfilenode FROM pg_class WHERE relname = ?", ivf.index()));
            // built after the load, in the same transaction: the index entries cover every non-NULL vector
            Sql.exec(c, "SET enable_seqscan = off");
            Sql.exec(c, "SET ivfflat.probes = 1000");
            long viaIndex = Sql.queryLong(c, "SELECT count(*) FROM (SELECT id FROM archon_crawled_pages ORDER BY embedding_1536 "
                    + "OPERATOR(extensions.<=>) (SELECT embedding_1536 FROM archon_crawled_pages WHERE embedding_1536 IS NOT NULL LIMIT 1) LIMIT 100000) s");
            long nonNull = Sql.queryLong(c, "SELECT count(*) FROM archon_crawled_pages WHERE embedding_1536 IS NOT NULL");
            assertEquals(nonNull, viaIndex, "an index scan with all lists probed returns every vector");
            String plan = explain(c, "EXPLAIN SELECT id FROM archon_crawled_pages ORDER BY embedding_1536 OPERATOR(extensions.<=>) "
                    + "(SELECT embedding_1536 FROM archon_crawled_pages LIMIT 1) LIMIT 5");
            assertTrue(plan.contains("Index Scan"), plan);
        }
    }

    private static String explain(Connection c, String sql) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append('\n');
            }
        }
        return sb.toString();
    }

    static long rows(DbChecksum sum, String table) {
        return Long.parseLong(sum.tables().get(table).split(":")[0]);
    }
}
