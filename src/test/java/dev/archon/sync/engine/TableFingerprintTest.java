package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.archon.sync.engine.plan.TableFingerprint;
import dev.archon.sync.pg.TableName;
import dev.archon.sync.testing.PgCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A fingerprint is equal exactly when a table's contents (and its sequences) are, across two databases. */
class TableFingerprintTest {
    private static final TableName PAGES = TableName.parse("archon_crawled_pages");
    private final EngineHarness h = new EngineHarness();

    /** All 17 in one snapshot, each timed (printed for the report, never asserted). */
    private static Map<TableName, TableFingerprint> of(PgCluster c, String db) throws SQLException {
        try (Connection conn = c.connect(db)) {
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Map<TableName, TableFingerprint> f = new java.util.LinkedHashMap<>();
            StringBuilder times = new StringBuilder();
            long t0 = System.nanoTime();
            for (TableName t : TABLES) {
                long t1 = System.nanoTime();
                f.putAll(TableFingerprint.of(conn, java.util.List.of(t)));
                long ms = (System.nanoTime() - t1) / 1_000_000;
                if (ms >= 20) {
                    times.append(String.format(" %s %,d rows %d ms;", t.name(), f.get(t).rows(), ms));
                }
            }
            System.out.printf("[fingerprint] %s/%s: 17 tables in %.2f s;%s%n", c.name(), db, (System.nanoTime() - t0) / 1e9, times);
            conn.rollback();
            return f;
        }
    }

    private static Map<TableName, TableFingerprint> others(Map<TableName, TableFingerprint> f, TableName except) {
        return f.entrySet().stream().filter(e -> !e.getKey().equals(except))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void equalAfterASyncAndDifferentForOneChangedValue() throws SQLException {
        h.reset("tpl_small", "tpl_big");
        assertNotEquals(of(h.remote(), REMOTE_DB).get(PAGES), of(h.local(), LOCAL_DB).get(PAGES), "different data, different prints");
        assertEquals(SyncStatus.COMPLETED, EngineHarness.run(h.engine(), EngineHarness.request(Direction.REMOTE_TO_LOCAL)).status());
        Map<TableName, TableFingerprint> remote = of(h.remote(), REMOTE_DB);
        assertEquals(remote, of(h.local(), LOCAL_DB), "identical contents in two databases: identical prints");

        // rows rewritten in place (new physical order), nothing changed: still equal
        // (replica role: no trigger may touch updated_at behind the test's back)
        exec(h.local(), LOCAL_DB, "SET session_replication_role = replica",
                "UPDATE archon_crawled_pages SET content = content WHERE id % 3 = 0", "VACUUM FULL archon_crawled_pages");
        assertEquals(remote, of(h.local(), LOCAL_DB));

        // one float of one vector
        exec(h.local(), LOCAL_DB, "SET session_replication_role = replica", "UPDATE archon_crawled_pages SET embedding_1536 = (SELECT ('[' || (v[1] + 0.5)::text || ','"
                + " || array_to_string(v[2:1536], ',') || ']')::extensions.vector FROM (SELECT embedding_1536::real[] v) s)"
                + " WHERE id = (SELECT min(id) FROM archon_crawled_pages WHERE embedding_1536 IS NOT NULL)");
        Map<TableName, TableFingerprint> changed = of(h.local(), LOCAL_DB);
        assertNotEquals(remote.get(PAGES).digest(), changed.get(PAGES).digest());
        assertEquals(remote.get(PAGES).rows(), changed.get(PAGES).rows());
        assertEquals(others(remote, PAGES), others(changed, PAGES), "the other tables are untouched");

        // a NULL on one side, an empty text on the other: not the same contents
        TableName settings = TableName.parse("archon_settings");
        String row = " WHERE key = (SELECT min(key) FROM archon_settings)";
        exec(h.local(), LOCAL_DB, "SET session_replication_role = replica", "UPDATE archon_settings SET description = NULL" + row);
        exec(h.remote(), REMOTE_DB, "SET session_replication_role = replica", "UPDATE archon_settings SET description = ''" + row);
        assertNotEquals(of(h.remote(), REMOTE_DB).get(settings), of(h.local(), LOCAL_DB).get(settings));
    }

    @Test
    void aSequenceMovedWithoutARowChangeIsSeen() throws SQLException {
        h.reset("tpl_small", "tpl_small");
        assertEquals(SyncStatus.COMPLETED, EngineHarness.run(h.engine(), EngineHarness.request(Direction.REMOTE_TO_LOCAL)).status());
        TableName examples = TableName.parse("archon_code_examples");
        assertEquals(of(h.remote(), REMOTE_DB).get(examples), of(h.local(), LOCAL_DB).get(examples));
        exec(h.remote(), REMOTE_DB, "SELECT nextval('archon_code_examples_id_seq')");
        TableFingerprint moved = of(h.remote(), REMOTE_DB).get(examples);
        TableFingerprint before = of(h.local(), LOCAL_DB).get(examples);
        assertEquals(before.digest(), moved.digest(), "same rows");
        assertNotEquals(before, moved, "but the sequence moved on");
    }

}
