package dev.archon.sync.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.delta.BucketsRead;
import dev.archon.sync.engine.plan.SyncPlan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The last sync's memory of each bucket ({@code BucketMemory}): the next sync digests, on each side, only the buckets
 * whose row versions moved since — and ends exactly where a read of everything would (checksum-identical). Where the
 * memory cannot be trusted (another file, another server, another bucketing) the side is read whole, once, and the
 * memory is written again.
 */
class BucketMemoryTest {
    private final DeltaTables f = new DeltaTables();

    /** A crawl on the source: 25 new pages at the end of the key range, two parents changed. */
    private static final String[] A_CRAWL = {
        "INSERT INTO archon_crawled_pages (url, chunk_number, content, metadata, source_id, embedding_1536, created_at) "
                + "SELECT url || '#again', chunk_number, content || ' again', metadata, source_id, embedding_1536, created_at "
                + "FROM archon_crawled_pages ORDER BY id LIMIT 25",
        "UPDATE delta_parent SET t = 'crawled again' WHERE id IN (SELECT id FROM delta_parent ORDER BY id LIMIT 2)",
    };

    private SyncJob synced(Direction d) {
        SyncJob job = f.sync(d, false);
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        f.assertIdentical(d);
        return job;
    }

    private static BucketsRead bucketsRead(SyncJob job, String table) {
        SyncPlan.Decision x = DeltaTables.decisions(job).get(table);
        assertNotNull(x, table);
        return x.bucketsRead();
    }

    /** What the target remembers of a table: its bucketing (null: none) and how many buckets. */
    private record Memory(String bucketing, long buckets) {
    }

    private Memory memoryOf(Direction d, String table) throws SQLException {
        try (Connection c = f.targetCluster(d).connect(DeltaTables.targetDb(d));
                PreparedStatement ps = c.prepareStatement("SELECT l.bucketing, (SELECT count(*) FROM archon_sync_guard.last_sync_buckets b "
                        + "WHERE b.table_name = l.table_name) FROM archon_sync_guard.last_sync l WHERE l.table_name = ?")) {
            ps.setString(1, table); // public tables are recorded by their bare names
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no record of " + table);
                return new Memory(rs.getString(1), rs.getLong(2));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void aCrawlIsReadByTheBucketsItMovedAndNothingElse(Direction d) throws SQLException {
        f.afterAFirstSync(d);
        Memory pages = memoryOf(d, "archon_crawled_pages");
        assertTrue(pages.bucketing().startsWith("range/") && pages.buckets() > 10, pages::toString);
        assertTrue(memoryOf(d, "delta_parent").bucketing().startsWith("hash/"));
        f.onSource(d, A_CRAWL);
        SyncJob job = synced(d);
        assertEquals(Long.valueOf(25), DeltaTables.decisions(job).get("archon_crawled_pages").rowsInserted());
        BucketsRead read = bucketsRead(job, "archon_crawled_pages");
        assertEquals(0, read.target(), () -> "the target's pages did not move since the last sync: " + read);
        assertTrue(read.source() >= 1 && read.source() <= 3, () -> "a crawl at the end of the key range: " + read);
        BucketsRead parents = bucketsRead(job, "delta_parent");
        assertEquals(0, parents.target(), parents::toString);
        assertTrue(parents.source() >= 1 && parents.source() <= 2, parents::toString);
        // what this sync left is remembered: nothing changed, nothing is read, every table is left alone
        SyncJob quiet = synced(d);
        quiet.snapshot().decisions().forEach(x -> {
            assertEquals(SyncPlan.ACTION_UNCHANGED, x.action(), x::toString);
            assertNull(x.bucketsRead(), x::toString);
        });
    }

    /**
     * Changes scattered over more key ranges than an OR of ranges serves ({@code BucketDigests.MAX_KEY_RANGES}): every
     * other bucket of delta_wide. They are read by their bucket numbers instead, and still only those buckets.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void changesScatteredOverManyKeyRangesAreReadByTheirBucketsOnly(Direction d) {
        f.afterAFirstSync(d);
        f.onSource(d, "UPDATE delta_wide SET v = v || ' changed' WHERE id % 128 = 0");
        SyncJob job = synced(d);
        BucketsRead read = bucketsRead(job, "delta_wide");
        assertEquals(39, read.source(), read::toString);
        assertEquals(0, read.target(), read::toString);
        assertEquals(Long.valueOf(39), DeltaTables.decisions(job).get("delta_wide").rowsInserted());
        assertEquals(Long.valueOf(39), DeltaTables.decisions(job).get("delta_wide").rowsDeleted());
    }

    /** A row the target changed since the last sync, in a bucket the source left alone: that bucket is read, and replaced. */
    @Test
    void aBucketTheTargetWroteToIsReadAndPutRight() {
        Direction d = Direction.REMOTE_TO_LOCAL;
        f.afterAFirstSync(d);
        f.onTarget(d, "UPDATE delta_parent SET t = 'written on the target' WHERE id = (SELECT id FROM delta_parent ORDER BY id DESC LIMIT 1)");
        f.onSource(d, "UPDATE delta_parent SET t = 'written on the source' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)");
        SyncJob job = synced(d);
        BucketsRead read = bucketsRead(job, "delta_parent");
        assertEquals(1, read.target(), read::toString);
        assertEquals(1, read.source(), read::toString);
        assertEquals(Long.valueOf(2), DeltaTables.decisions(job).get("delta_parent").rowsInserted());
    }

    /**
     * VACUUM FULL gives the target's table a new file (and every row a new place): its remembered row versions say
     * nothing any more, so the target reads the table whole — once; the sync remembers it again.
     */
    @Test
    void aTableRewrittenOnTheTargetIsReadWholeOnceThenRememberedAgain() {
        Direction d = Direction.LOCAL_TO_REMOTE;
        f.afterAFirstSync(d);
        f.onTarget(d, "VACUUM FULL delta_parent");
        f.onSource(d, "UPDATE delta_parent SET t = 'changed' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)");
        BucketsRead whole = bucketsRead(synced(d), "delta_parent");
        assertEquals(whole.of(), whole.target(), whole::toString);
        assertEquals(1, whole.source(), whole::toString);
        f.onSource(d, "UPDATE delta_parent SET t = 'changed again' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)");
        BucketsRead again = bucketsRead(synced(d), "delta_parent");
        assertEquals(0, again.target(), again::toString);
        assertEquals(1, again.source(), again::toString);
    }

    /**
     * The source's row versions are remembered for one server run: another server (or the same after a restart,
     * which is what another server that reuses transaction ids looks like) is read whole on the source side.
     */
    @Test
    void theSourcesMemoryHoldsOnlyForTheSameServer() {
        Direction d = Direction.REMOTE_TO_LOCAL;
        f.afterAFirstSync(d);
        f.onTarget(d, "UPDATE archon_sync_guard.last_sync SET source_versions = 'another server/' || source_versions "
                + "WHERE table_name = 'delta_parent'");
        SyncJob job = synced(d);
        BucketsRead read = bucketsRead(job, "delta_parent");
        assertEquals(read.of(), read.source(), read::toString);
        assertEquals(0, read.target(), read::toString);
        assertEquals(SyncPlan.ACTION_UNCHANGED, DeltaTables.decisions(job).get("delta_parent").action());
        assertNull(bucketsRead(synced(d), "delta_parent"), "remembered again: nothing read");
    }

    /**
     * A record rewritten by a program that does not know the memory (an older version of this tool: a new sync id,
     * the memory's left as it was) retires the memory: both sides are read whole, and the memory is written again.
     */
    @Test
    void aRecordRewrittenWithoutTheMemoryRetiresIt() {
        Direction d = Direction.REMOTE_TO_LOCAL;
        f.afterAFirstSync(d);
        f.onTarget(d, "UPDATE archon_sync_guard.last_sync SET sync_id = md5('an older version')::uuid WHERE table_name = 'delta_parent'");
        f.onSource(d, "UPDATE delta_parent SET t = 'changed' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)");
        BucketsRead whole = bucketsRead(synced(d), "delta_parent");
        assertEquals(whole.of(), whole.source(), whole::toString);
        assertEquals(whole.of(), whole.target(), whole::toString);
        f.onSource(d, "UPDATE delta_parent SET t = 'changed again' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)");
        BucketsRead again = bucketsRead(synced(d), "delta_parent");
        assertEquals(0, again.target(), again::toString);
        assertEquals(1, again.source(), again::toString);
    }

    /**
     * A uuid-keyed table grown fivefold: its hash buckets would hold five times the rows, so the bucketing is chosen
     * anew (both sides read whole under it, the memory rewritten), and the next change is read by its buckets again.
     */
    @Test
    void aHashBucketingOutgrownIsChosenAnew() throws SQLException {
        Direction d = Direction.LOCAL_TO_REMOTE;
        f.afterAFirstSync(d);
        Memory before = memoryOf(d, "delta_parent");
        f.onSource(d, "INSERT INTO delta_parent (id, t) SELECT md5('grown' || i)::uuid, 'grown ' || i FROM generate_series(1, 8000) i",
                "ANALYZE delta_parent");
        synced(d);
        Memory after = memoryOf(d, "delta_parent");
        assertNotEquals(before.bucketing(), after.bucketing());
        assertTrue(after.buckets() > 2 * before.buckets(), () -> before + " → " + after);
        f.onSource(d, "UPDATE delta_parent SET t = 'changed' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)");
        BucketsRead read = bucketsRead(synced(d), "delta_parent");
        assertEquals(0, read.target(), read::toString);
        assertEquals(1, read.source(), read::toString);
    }
}
