package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.testing.DbChecksum;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Row deltas, both directions, on real clusters ({@link DeltaTables}: Archon's tables and two made for the awkward
 * cases). Each case: a change on the source, the next sync
 * writes only the rows that differ (no TRUNCATE: the table keeps its relfilenode), the target ends
 * checksum-identical to the source (rows and sequences).
 */
class RowDeltaTest {
    private final DeltaTables f = new DeltaTables();

    /** The change on the source, the sync, and what every delta case asserts; returns the job. */
    private SyncJob changedThenSynced(Direction d, String... sql) throws SQLException {
        f.afterAFirstSync(d);
        f.onSource(d, sql);
        Map<String, Long> before = f.relfilenodes(d);
        SyncJob job = f.sync(d, false);
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.COMPLETED, end.status(), end::toString);
        f.assertIdentical(d);
        Map<String, Long> after = f.relfilenodes(d);
        for (String t : f.deltaTables(job)) {
            assertEquals(before.get(t), after.get(t), t + " was written row by row, never truncated");
        }
        for (SyncPlan.Decision x : end.decisions()) {
            if (SyncPlan.ACTION_DELTA.equals(x.action())) {
                assertNotNull(x.rowsInserted(), x::toString);
                assertNotNull(x.bytesSent(), x::toString);
            }
        }
        return job;
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void insertsAreCopiedAndNothingElse(Direction d) throws SQLException {
        SyncJob job = changedThenSynced(d,
                "INSERT INTO delta_parent (id, v, r, n, t) SELECT md5('new' || i)::uuid, 'NaN', '-0', NULL, 'new ' || i FROM generate_series(1, 20) i",
                "INSERT INTO delta_child (b, parent, note) SELECT 'new' || i, md5('new' || (i % 20 + 1))::uuid, NULL FROM generate_series(1, 30) i");
        Map<String, SyncPlan.Decision> x = f.decisions(job);
        assertEquals(Set.of("delta_parent", "delta_child"), f.deltaTables(job));
        assertEquals(20L, x.get("delta_parent").rowsInserted());
        assertEquals(0L, x.get("delta_parent").rowsDeleted());
        assertEquals(30L, x.get("delta_child").rowsInserted());
        assertTrue(job.snapshot().message().contains("delta_parent (delta: 20 inserted, 0 deleted)"), job.snapshot().message());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void updatesToNullNaNAndMinusZeroAndTheGeneratedColumnFollow(Direction d) throws SQLException {
        SyncJob job = changedThenSynced(d,
                "UPDATE delta_parent SET v = '-0', r = 'NaN', n = NULL, t = 'changed' WHERE id IN (SELECT id FROM delta_parent ORDER BY id LIMIT 10)",
                "UPDATE delta_parent SET v = 'NaN', n = '-0', t = NULL WHERE id IN (SELECT id FROM delta_parent ORDER BY id DESC LIMIT 5)",
                // 0 and -0 are equal to = but not the same value: the row digest (float8send) tells them apart. The
                // data's "-0" went through a numeric CASE, so it is +0: this row (not among the 15 above, whose first
                // 10 by id are all -0 now) becomes a real -0
                "UPDATE delta_parent SET v = '-0'::float8 WHERE id = (SELECT id FROM delta_parent WHERE v = '-0' AND t IS NOT NULL ORDER BY id OFFSET 20 LIMIT 1)");
        assertEquals(Set.of("delta_parent"), f.deltaTables(job));
        assertEquals(16L, f.decisions(job).get("delta_parent").rowsInserted());
        assertEquals(16L, f.decisions(job).get("delta_parent").rowsDeleted());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void deletesOfParentsWithCascadingChildren(Direction d) throws SQLException {
        // on the source the children go with their parents (CASCADE); on the target no trigger fires while
        // syncing: the child table's own delta deletes them, and verification finds no orphan
        SyncJob job = changedThenSynced(d, "DELETE FROM delta_parent WHERE id IN (SELECT id FROM delta_parent ORDER BY id LIMIT 12)");
        assertEquals(Set.of("delta_parent", "delta_child"), f.deltaTables(job));
        assertEquals(12L, f.decisions(job).get("delta_parent").rowsDeleted());
        assertTrue(f.decisions(job).get("delta_child").rowsDeleted() > 0);
        assertEquals(0L, f.decisions(job).get("delta_child").rowsInserted());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void aChangedPrimaryKeyAndTheChildrenItCarries(Direction d) throws SQLException {
        // ON UPDATE CASCADE rewrites the children's FK on the source: both tables differ, both by delta
        SyncJob job = changedThenSynced(d, "UPDATE delta_parent SET id = md5('renamed' || id::text)::uuid "
                + "WHERE id IN (SELECT id FROM delta_parent ORDER BY id LIMIT 3)",
                "UPDATE delta_child SET b = b || '-renamed' WHERE a IN (SELECT a FROM delta_child ORDER BY a LIMIT 4)");
        assertEquals(Set.of("delta_parent", "delta_child"), f.deltaTables(job));
        assertEquals(3L, f.decisions(job).get("delta_parent").rowsInserted());
        assertEquals(3L, f.decisions(job).get("delta_parent").rowsDeleted());
    }

    /** Archon's crawled pages: an integer key in ranges, a generated tsvector, embeddings; a crawl and a re-crawl. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void aCrawlAndARecrawlOfArchonPages(Direction d) throws SQLException {
        SyncJob job = changedThenSynced(d,
                "UPDATE archon_crawled_pages SET content = content || ' re-crawled', embedding_1536 = NULL "
                        + "WHERE id IN (SELECT id FROM archon_crawled_pages ORDER BY id DESC LIMIT 10)",
                "INSERT INTO archon_crawled_pages (url, chunk_number, content, metadata, source_id, embedding_1536, created_at) "
                        + "SELECT url || '#again', chunk_number, content || ' again', metadata, source_id, embedding_1536, created_at "
                        + "FROM archon_crawled_pages ORDER BY id LIMIT 25",
                "SELECT setval('archon_crawled_pages_id_seq', (SELECT max(id) FROM archon_crawled_pages) + 100)");
        assertTrue(f.deltaTables(job).contains("archon_crawled_pages"), job.snapshot().decisions()::toString);
        SyncPlan.Decision pages = f.decisions(job).get("archon_crawled_pages");
        assertEquals(35L, pages.rowsInserted());
        assertEquals(10L, pages.rowsDeleted());
        assertEquals(SyncPlan.ACTION_UNCHANGED, f.decisions(job).get("archon_sources").action());
    }

    /**
     * The target gained a row since the last sync and the source another: the counts are equal, so the count
     * guard alone would let the target's row go. The delta knows it is a row the source does not have: refused.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void aRowTheTargetGainedSinceTheLastSyncIsNotDeletedSilently(Direction d) {
        f.afterAFirstSync(d);
        f.onTarget(d, "INSERT INTO delta_parent (id, t) VALUES (md5('target only')::uuid, 'written on the target')");
        f.onSource(d, "INSERT INTO delta_parent (id, t) VALUES (md5('source only')::uuid, 'written on the source')");
        DbChecksum before = f.targetSum(d);
        ProgressEvent refused = f.sync(d, false).snapshot();
        assertEquals(SyncStatus.REFUSED, refused.status(), refused::toString);
        assertEquals("data_loss", refused.refusals().get(0).code());
        assertTrue(refused.error().contains("delta_parent") && refused.error().contains("changed since the last sync"), refused.error());
        assertEquals(before, f.targetSum(d), "nothing written");
        assertEquals(SyncStatus.COMPLETED, f.sync(d, true).status());
        f.assertIdentical(d);
    }

    /**
     * A writer on the target between validation and the apply, on a row the delta replaces: the delete finds a
     * version it did not compare, the sync fails and rolls back (sequences too), the writer's row stays.
     */
    @Test
    void aConcurrentWriteOnARowTheDeltaReplacesIsDetectedNotLost() {
        Direction d = Direction.REMOTE_TO_LOCAL;
        WrittenDuring run = writtenBetweenValidationAndRun(d, true,
                "UPDATE delta_parent SET t = 'written during the sync' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)",
                ONE_ROW_FROM_THE_SOURCE);
        assertEquals(SyncStatus.FAILED, run.end().status(), run.end()::toString);
        assertTrue(run.end().error().contains("delta_parent changed on the target during the sync"), run.end().error());
        assertEquals(run.withTheWrite(), f.targetSum(d), "rolled back: the write is kept, nothing else changed");
    }

    /**
     * A writer elsewhere in the table (a row the delta does not touch): verification's fingerprint finds it. The
     * child's sequence, set by the child's (rows-equal) delta before that, is rolled back with the rest.
     */
    @Test
    void aConcurrentInsertElsewhereFailsVerificationAndStays() {
        Direction d = Direction.LOCAL_TO_REMOTE;
        WrittenDuring run = writtenBetweenValidationAndRun(d, false,
                "INSERT INTO delta_parent (id, t) VALUES (md5('during')::uuid, 'inserted during the sync')",
                ONE_ROW_FROM_THE_SOURCE, "SELECT setval('delta_child_a_seq', 100000)");
        assertEquals(SyncStatus.FAILED, run.end().status(), run.end()::toString);
        assertTrue(run.end().error().contains("delta_parent does not equal the source after its row delta"), run.end().error());
        assertEquals(run.withTheWrite(), f.targetSum(d), "rolled back: the insert is kept, nothing else changed");
    }

    /**
     * Writers on rows the delta leaves alone, in buckets it does not write to (ten rows spread over the table: at
     * least one lies outside the one changed row's bucket): verification re-digests only the buckets it wrote, and
     * finds these by their row versions — the table is never read whole, and nothing is missed.
     */
    @Test
    void aConcurrentUpdateInBucketsTheDeltaLeavesAloneIsFoundByTheirRowVersions() {
        Direction d = Direction.LOCAL_TO_REMOTE;
        WrittenDuring run = writtenBetweenValidationAndRun(d, true, "UPDATE delta_parent SET t = t || ' (written during the sync)' "
                + "WHERE id IN (SELECT id FROM delta_parent ORDER BY id DESC LIMIT 10)", ONE_ROW_FROM_THE_SOURCE);
        assertEquals(SyncStatus.FAILED, run.end().status(), run.end()::toString);
        assertTrue(run.end().error().contains("delta_parent does not equal the source after its row delta")
                && run.end().error().contains("buckets it left alone were written to since preflight"), run.end().error());
        assertEquals(run.withTheWrite(), f.targetSum(d), "rolled back: the writes are kept, nothing else changed");
    }

    /**
     * A writer on a row the delta keeps, in a bucket it writes (two neighbouring pages: one changed on the source, the
     * next one on the target during the sync): verification digests only the rows the delta wrote and finds the kept
     * ones by their row versions — this one's is not among them, so the bucket does not hold the source's rows.
     */
    @Test
    void aConcurrentUpdateOfARowTheDeltaKeepsInABucketItWritesIsFound() {
        Direction d = Direction.REMOTE_TO_LOCAL;
        String page = "(SELECT min(id) FROM archon_crawled_pages WHERE id % 16 = 0)";
        WrittenDuring run = writtenBetweenValidationAndRun(d, false, "UPDATE archon_crawled_pages SET content = content || "
                + "' (written during the sync)' WHERE id = " + page + " + 1",
                "UPDATE archon_crawled_pages SET content = 'from the source' WHERE id = " + page);
        assertEquals(SyncStatus.FAILED, run.end().status(), run.end()::toString);
        assertTrue(run.end().error().contains("archon_crawled_pages does not equal the source after its row delta")
                && run.end().error().contains("buckets it wrote differ"), run.end().error());
        assertEquals(run.withTheWrite(), f.targetSum(d), "rolled back: the write is kept, nothing else changed");
    }

    static final String ONE_ROW_FROM_THE_SOURCE =
            "UPDATE delta_parent SET t = 'from the source' WHERE id = (SELECT id FROM delta_parent ORDER BY id LIMIT 1)";

    /** How a sync with a write on the target between its validation and its run ended, and the target after the write. */
    private record WrittenDuring(ProgressEvent end, DbChecksum withTheWrite) {
    }

    /**
     * After a first sync, the source changes; the sync is validated (a delta of delta_parent alone, when
     * {@code deltaParentOnly}), then {@code targetWrite} commits on the target, then the sync runs to its end.
     */
    private WrittenDuring writtenBetweenValidationAndRun(Direction d, boolean deltaParentOnly, String targetWrite, String... sourceChanges) {
        f.afterAFirstSync(d);
        f.onSource(d, sourceChanges);
        SyncEngine engine = f.engine();
        SyncJob job = new SyncJob(EngineHarness.request(d));
        Validation v = engine.validate(job);
        assertTrue(v instanceof Validation.Ready, v::toString);
        if (deltaParentOnly) {
            assertEquals(Set.of("delta_parent"), f.deltaTables(job));
        }
        f.onTarget(d, targetWrite);
        DbChecksum withTheWrite = f.targetSum(d);
        engine.launch(((Validation.Ready) v).sync());
        return new WrittenDuring(EngineHarness.awaitEnd(job).snapshot(), withTheWrite);
    }

    /** Cancelled while the second delta is applied, the first already written: the target is as it was. */
    @Test
    void aCancelMidApplyLeavesTheTargetUnchanged() {
        Direction d = Direction.REMOTE_TO_LOCAL;
        f.afterAFirstSync(d);
        f.onSource(d, "DELETE FROM delta_parent WHERE id IN (SELECT id FROM delta_parent ORDER BY id LIMIT 12)",
                "SELECT setval('delta_child_a_seq', 100000)");
        DbChecksum before = f.targetSum(d);
        SyncJob job = new SyncJob(EngineHarness.request(d));
        AtomicReference<ProgressEvent> at = new AtomicReference<>();
        job.subscribe(e -> {
            if (!e.status().isFinal() && e.phase() == Phase.IMPORTING && "delta_child".equals(e.currentTable())
                    && at.compareAndSet(null, e)) {
                job.cancelSignal().cancel();
            }
        });
        f.engine().start(job);
        EngineHarness.awaitEnd(job);
        assertNotNull(at.get(), () -> "never reached the second delta: " + job.snapshot());
        assertTrue(job.snapshot().report().tables().stream().anyMatch(t -> t.table().equals("delta_parent")),
                "the first delta was applied before the cancel");
        assertEquals(SyncStatus.CANCELLED, job.status(), () -> job.snapshot().toString());
        assertEquals(before, f.targetSum(d), "target identical to before, its sequences too");
    }
}
