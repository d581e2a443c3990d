package dev.archon.sync.engine.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.TableName;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bucket's digests computed from its rows ({@link BucketRows}) are the server's ({@link BucketDigests#buckets}),
 * byte for byte: a side that read a bucket row by row compares with one that digested it on the server, and with the
 * last sync's memory of it. Over values whose bytes sort differently from their text (NULL, NaN, -0, non-ASCII,
 * bytea with high bytes) and both kinds of bucketing.
 */
class BucketRowsTest {
    private static final String DB = "bucket_rows";
    private static PgCluster cluster;

    @BeforeAll
    static void tables() throws SQLException {
        cluster = TestClusters.get().local();
        cluster.dropDatabase(DB);
        cluster.createDatabase(DB, null);
        try (Connection c = cluster.connect(DB); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE by_range (id bigint PRIMARY KEY, f double precision, t text, b bytea, j jsonb)");
            st.execute("INSERT INTO by_range SELECT i, CASE i % 5 WHEN 0 THEN 'NaN' WHEN 1 THEN '-0' WHEN 2 THEN NULL ELSE i / 7.0 END, "
                    + "CASE WHEN i % 3 = 0 THEN 'ü' || i WHEN i % 3 = 1 THEN NULL ELSE repeat('x', i % 50) END, "
                    + "decode(lpad(to_hex(i * 2654435761 % 4294967296), 8, '0'), 'hex'), jsonb_build_object('i', i) "
                    + "FROM generate_series(-300, 2700) i");
            st.execute("CREATE TABLE by_hash (a text, n int, v numeric, PRIMARY KEY (a, n))");
            st.execute("INSERT INTO by_hash SELECT 'k' || (i % 37), i, CASE WHEN i % 4 = 0 THEN 'NaN' ELSE i * 1.5 END "
                    + "FROM generate_series(1, 2000) i");
            // some rows rewritten, so that row versions are not in insertion order
            st.execute("UPDATE by_range SET t = t WHERE id % 11 = 0");
        }
    }

    @AfterAll
    static void drop() {
        cluster.dropDatabase(DB);
    }

    private static void assertSameDigests(String table, long rows) throws SQLException {
        try (Connection c = cluster.connect(DB)) {
            c.setAutoCommit(false);
            TableName t = TableName.parse(table);
            PrimaryKey key = PrimaryKey.of(c, t).orElseThrow();
            BucketDigests bucketing = BucketDigests.choose(c, key, rows);
            Map<Long, BucketDigests.Bucket> onServer = bucketing.buckets(c);
            Map<Long, BucketDigests.Bucket> fromRows = bucketing.rows(c, onServer.keySet()).buckets();
            assertTrue(onServer.size() > 50, () -> table + ": " + onServer.size() + " buckets");
            assertEquals(onServer.keySet(), fromRows.keySet(), table + ": the same buckets");
            long differ = onServer.keySet().stream().filter(b -> !onServer.get(b).equals(fromRows.get(b))).count();
            assertEquals(0, differ, () -> table + " (" + bucketing.id() + "): buckets whose digests differ, of " + onServer.size());
            c.rollback();
        }
    }

    /**
     * Verification's read of the buckets a delta wrote digests only the rows written since preflight — here under a
     * savepoint, so their xmin is a subtransaction's, not the transaction's own — and finds every other row by its
     * version; past {@value BucketDigests#MAX_KEPT_WRITERS} writers of the kept rows it digests them all.
     */
    @Test
    void verificationDigestsOnlyTheRowsWrittenSincePreflight() throws SQLException {
        try (Connection c = cluster.connect(DB)) {
            c.setAutoCommit(false);
            PrimaryKey key = PrimaryKey.of(c, TableName.parse("by_range")).orElseThrow();
            BucketDigests bucketing = BucketDigests.choose(c, key, 3001);
            Set<Long> all = bucketing.buckets(c).keySet();
            Map<List<String>, BucketRows.Row> preflight = bucketing.rows(c, all).rowsIn(all);
            Set<String> writers = new HashSet<>();
            preflight.values().forEach(r -> writers.add(BucketDigests.writerOf(r.version())));
            Savepoint sp = c.setSavepoint();
            try (Statement st = c.createStatement()) {
                st.execute("UPDATE by_range SET t = 'written since' WHERE id IN (5, 6)");
            }
            c.releaseSavepoint(sp);

            List<BucketRows.Row> now = bucketing.afterWrite(c, all, writers).values().stream().flatMap(List::stream).toList();
            assertEquals(3001, now.size());
            List<BucketRows.Row> digested = now.stream().filter(r -> r.digest() != null).toList();
            assertEquals(2, digested.size(), "only the two rows written since");
            Map<List<String>, BucketRows.Row> after = bucketing.rows(c, all).rowsIn(all);
            for (List<String> id : List.of(List.of("5"), List.of("6"))) {
                assertTrue(digested.stream().anyMatch(r -> r.sameAs(after.get(id)) && r.version().equals(after.get(id).version())), id::toString);
                assertTrue(!after.get(id).sameAs(preflight.get(id)), "the row changed");
            }
            Set<String> seen = new HashSet<>();
            preflight.values().forEach(r -> seen.add(r.version()));
            assertTrue(now.stream().filter(r -> r.digest() == null).allMatch(r -> seen.contains(r.version())),
                    "every row not digested is one preflight saw");

            Set<String> many = new HashSet<>(writers);
            for (int i = 0; many.size() <= BucketDigests.MAX_KEPT_WRITERS; i++) {
                many.add(String.valueOf(3_000_000 + i));
            }
            assertTrue(bucketing.afterWrite(c, all, many).values().stream().flatMap(List::stream).allMatch(r -> r.digest() != null),
                    "past the limit every row is digested");
            c.rollback();
        }
    }

    @Test
    void aRangeBucketedTablesDigestsAreTheServers() throws SQLException {
        assertSameDigests("by_range", 3001);
    }

    @Test
    void aHashBucketedTablesDigestsAreTheServers() throws SQLException {
        assertSameDigests("by_hash", 2000);
    }
}
