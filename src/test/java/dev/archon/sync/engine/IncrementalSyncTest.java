package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.testing.DbChecksum;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Knowing what changed: only tables whose fingerprints differ are reloaded (with the FK children a TRUNCATE
 * needs), and the data-loss guard remembers the last sync, telling a deletion on the source from rows the
 * target gained on its own, and from a wipe. Always checksum-identical to the source afterwards.
 */
class IncrementalSyncTest {
    private final EngineHarness h = new EngineHarness();

    /** Both sides from tpl_small, then a first remote → local sync: the target now holds what it recorded. */
    private void afterAFirstSync() {
        h.reset("tpl_small", "tpl_small");
        assertEquals(SyncStatus.COMPLETED, sync(false).status());
    }

    /** After a first sync, the statements run on one side, then the next (unforced) sync, which completes. */
    private SyncJob changedThenSynced(boolean onRemote, String... sql) {
        afterAFirstSync();
        exec(onRemote ? h.remote() : h.local(), onRemote ? REMOTE_DB : LOCAL_DB, sql);
        SyncJob job = sync(false);
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        return job;
    }

    private SyncJob sync(boolean force) {
        SyncJob job = EngineHarness.run(h.engine(), force ? EngineHarness.forced(Direction.REMOTE_TO_LOCAL)
                : EngineHarness.request(Direction.REMOTE_TO_LOCAL));
        return job;
    }

    private static Set<String> reloaded(SyncJob job) {
        return job.plan().reloaded().stream().map(t -> t.table().name()).collect(Collectors.toSet());
    }

    private void assertIdentical() {
        DbChecksum remote = h.remoteSum();
        DbChecksum local = h.localSum();
        assertEquals(remote.only(TABLE_NAMES), local.only(TABLE_NAMES));
        assertEquals(remote.sequences(), local.sequences());
    }

    private Map<String, Long> relfilenodes() throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = h.local().connect(LOCAL_DB);
                PreparedStatement ps = c.prepareStatement("SELECT relname, relfilenode FROM pg_class WHERE relkind = 'r' AND relname = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", TABLE_NAMES.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private Set<String> rewritten(Map<String, Long> before) throws SQLException {
        Map<String, Long> after = relfilenodes();
        return before.keySet().stream().filter(t -> !before.get(t).equals(after.get(t))).collect(Collectors.toSet());
    }

    @Test
    void nothingChangedNothingReloadedNothingWritten() throws SQLException {
        afterAFirstSync();
        DbChecksum before = h.localSum();
        Map<String, Long> nodes = relfilenodes();
        SyncJob again = sync(false);
        assertEquals(SyncStatus.COMPLETED, again.status(), () -> again.snapshot().toString());
        assertEquals(Set.of(), reloaded(again));
        assertTrue(again.snapshot().message().startsWith("Nothing to sync"), again.snapshot().message());
        assertEquals(Set.of(), rewritten(nodes), "no table was truncated or loaded");
        assertEquals(before, h.localSum());
    }

    /**
     * Nothing differs: the target is only read. No transaction id is assigned on it (its next xid is the same
     * after the sync), and no lock against writers is taken: Archon writing to every table at that moment
     * (a session holding ROW EXCLUSIVE on all 17, as an open UPDATE does) does not hold the sync up.
     */
    @Test
    void nothingDiffersOpensNoWriteTransactionAndTakesNoLock() throws SQLException {
        afterAFirstSync();
        long nextXid = nextXid();
        try (Connection writer = h.local().connect(LOCAL_DB); Statement st = writer.createStatement()) {
            writer.setAutoCommit(false);
            st.execute("LOCK TABLE " + String.join(", ", TABLE_NAMES) + " IN ROW EXCLUSIVE MODE");
            SyncJob again = sync(false);
            ProgressEvent end = again.snapshot();
            assertEquals(SyncStatus.COMPLETED, end.status(), end::toString);
            assertTrue(end.message().contains("no write transaction was opened"), end.message());
            assertFalse(end.report().phaseSeconds().containsKey("importing"), end.report().phaseSeconds()::toString);
            assertEquals(17, end.decisions().size());
            assertTrue(end.decisions().stream().noneMatch(SyncPlan.Decision::reload), end.decisions()::toString);
            assertTrue(end.report().tables().stream().allMatch(t -> !t.reloaded() && "unchanged".equals(t.why())),
                    end.report().tables()::toString);
            writer.rollback();
        }
        assertEquals(nextXid, nextXid(), "no transaction id was assigned on the target");
    }

    /**
     * A write on a table left alone, after validation fingerprinted it and before the load locks it: the
     * row versions read again under the lock find it, the sync fails and rolls back, the write stays.
     */
    @Test
    void aWriteOnTheTargetBetweenValidationAndTheLockIsCaughtNotLost() {
        afterAFirstSync();
        exec(h.remote(), REMOTE_DB, "UPDATE archon_prompts SET prompt = prompt || ' (edited)' WHERE prompt_name = (SELECT min(prompt_name) FROM archon_prompts)");
        SyncEngine engine = h.engine();
        SyncJob job = new SyncJob(EngineHarness.request(Direction.REMOTE_TO_LOCAL));
        Validation v = engine.validate(job);
        assertTrue(v instanceof Validation.Ready, v::toString);
        assertEquals(Set.of("archon_prompts"), reloaded(job));
        exec(h.local(), LOCAL_DB, "SET session_replication_role = replica",
                "UPDATE archon_settings SET value = 'written during the sync' WHERE key = (SELECT min(key) FROM archon_settings)");
        DbChecksum withTheWrite = h.localSum();
        engine.launch(((Validation.Ready) v).sync());
        ProgressEvent end = EngineHarness.awaitEnd(job).snapshot();
        assertEquals(SyncStatus.FAILED, end.status(), end::toString);
        assertTrue(end.error().contains("archon_settings changed on the target during the sync"), end.error());
        assertEquals(withTheWrite, h.localSum(), "rolled back: the write is kept, nothing else changed");
    }

    /**
     * Row versions (ctid, xmin) that are still those the last sync recorded stand for the recorded content:
     * no table is read again on either side. Versions that moved without a content change (VACUUM FULL on the
     * target, an UPDATE to the same values on the source) only cost the content fingerprint — still nothing
     * reloaded; a real change on either side is still found (the other tests), and the result is identical.
     */
    @Test
    void unchangedRowVersionsSkipTheContentFingerprintAndMovedOnesOnlyCostIt() throws SQLException {
        afterAFirstSync();
        ProgressEvent again = sync(false).snapshot();
        assertEquals(SyncStatus.COMPLETED, again.status(), again::toString);
        assertTrue(again.decisions().stream().allMatch(d -> !d.reload() && d.sourceFingerprintSeconds() == 0
                && d.targetFingerprintSeconds() == 0), "every fingerprint from the last sync's record: " + again.decisions());

        exec(h.local(), LOCAL_DB, "VACUUM FULL archon_prompts");
        // (without its updated_at trigger, which would change the contents)
        exec(h.remote(), REMOTE_DB, "SET session_replication_role = replica", "UPDATE archon_settings SET value = value");
        Map<String, Long> nodes = relfilenodes();
        ProgressEvent moved = sync(false).snapshot();
        assertEquals(SyncStatus.COMPLETED, moved.status(), moved::toString);
        assertTrue(moved.decisions().stream().noneMatch(SyncPlan.Decision::reload), moved.decisions()::toString);
        for (SyncPlan.Decision d : moved.decisions()) {
            boolean read = d.sourceFingerprintSeconds() > 0 || d.targetFingerprintSeconds() > 0;
            assertEquals(Set.of("archon_prompts", "archon_settings").contains(d.table()), read, "read again: " + d);
        }
        assertEquals(Set.of(), rewritten(nodes), "nothing reloaded");
        assertIdentical();
    }

    /** The target cluster's next transaction id, read without assigning one. */
    private long nextXid() throws SQLException {
        try (Connection c = h.local().connect(LOCAL_DB); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** "full": every table replaced though all are equal, each saying why; the result still identical. */
    @Test
    void fullReplacesEveryTableAndSaysWhy() throws SQLException {
        afterAFirstSync();
        Map<String, Long> nodes = relfilenodes();
        SyncJob job = EngineHarness.run(h.engine(), EngineHarness.request(Direction.REMOTE_TO_LOCAL).toBuilder().full(true).build());
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.COMPLETED, end.status(), end::toString);
        assertEquals(Set.copyOf(TABLE_NAMES), reloaded(job));
        assertTrue(end.decisions().stream().allMatch(d -> d.reload() && SyncPlan.FULL.equals(d.why())), end.decisions()::toString);
        assertTrue(end.report().tables().stream().allMatch(t -> t.reloaded() && SyncPlan.FULL.equals(t.why())),
                end.report().tables()::toString);
        assertTrue(end.message().contains("17 tables (full replace requested)"), end.message());
        assertEquals(Set.copyOf(TABLE_NAMES), rewritten(nodes), "every table was truncated and loaded");
        assertIdentical();
    }

    @Test
    void aChangedLeafTableIsTheOnlyOneReloaded() throws SQLException {
        afterAFirstSync();
        Map<String, Long> nodes = relfilenodes();
        exec(h.remote(), REMOTE_DB, "UPDATE archon_prompts SET prompt = prompt || ' (edited)' WHERE prompt_name = (SELECT min(prompt_name) FROM archon_prompts)");
        SyncJob job = sync(false);
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(Set.of("archon_prompts"), reloaded(job));
        assertEquals(Set.of("archon_prompts"), rewritten(nodes), "only its relfilenode is new");
        ProgressEvent end = job.snapshot();
        assertTrue(end.message().contains("reloaded: archon_prompts (differs); 16 unchanged tables left alone"), end.message());
        assertTrue(end.decisions().stream().allMatch(d -> d.reload() == d.table().equals("archon_prompts")
                && d.why().equals(d.reload() ? "differs" : "unchanged")), end.decisions()::toString);
        assertIdentical();
    }

    @Test
    void aChangeInSourcesReloadsItsForeignKeyChildrenWithIt() {
        SyncJob job = changedThenSynced(true,
                "UPDATE archon_sources SET summary = summary || ' (edited)' WHERE source_id = (SELECT min(source_id) FROM archon_sources)");
        // every table with a foreign key to archon_sources (and theirs) goes into the one TRUNCATE
        assertEquals(Set.of("archon_sources", "archon_page_metadata", "archon_crawled_pages", "archon_code_examples",
                "archon_crawl_state"), reloaded(job));
        assertTrue(job.plan().tables().stream().filter(t -> t.table().name().equals("archon_code_examples"))
                .allMatch(t -> t.why().startsWith("truncated with its parent")), job.plan()::toString);
        assertIdentical();
    }

    @Test
    void aSequenceAdvancedOnTheSourceAloneIsCarried() {
        SyncJob job = changedThenSynced(true, "SELECT nextval('archon_code_examples_id_seq')");
        assertTrue(reloaded(job).contains("archon_code_examples"), reloaded(job)::toString);
        assertIdentical();
    }

    @Test
    void aRowChangedOnTheTargetIsRepaired() {
        SyncJob job = changedThenSynced(false, "SET session_replication_role = replica",
                "UPDATE archon_settings SET value = 'changed on the target' WHERE key = (SELECT min(key) FROM archon_settings)");
        assertEquals(Set.of("archon_settings"), reloaded(job));
        assertIdentical();
    }

    @Test
    void theGuardTellsADeletionFromRowsTheTargetGainedAndFromAWipe() {
        afterAFirstSync();
        // the source deleted some rows: the target holds what the last sync left, so nothing of its own is lost
        exec(h.remote(), REMOTE_DB, "DELETE FROM archon_crawled_pages WHERE id IN (SELECT id FROM archon_crawled_pages ORDER BY id LIMIT 10)");
        SyncJob deletion = sync(false);
        assertEquals(SyncStatus.COMPLETED, deletion.status(), () -> deletion.snapshot().toString());
        assertIdentical();

        // the target gained a row since: refused, naming the table and the case
        exec(h.local(), LOCAL_DB, "INSERT INTO archon_prompts (prompt_name, prompt) VALUES ('local-only', 'x')");
        ProgressEvent gained = sync(false).snapshot();
        assertEquals(SyncStatus.REFUSED, gained.status(), gained::toString);
        assertEquals("data_loss", gained.refusals().get(0).code());
        assertTrue(gained.error().contains("archon_prompts") && gained.error().contains("changed since the last sync"), gained.error());

        // after a forced sync the target is as the last sync left it; the source is wiped: refused all the same
        assertEquals(SyncStatus.COMPLETED, sync(true).status());
        exec(h.remote(), REMOTE_DB, "DELETE FROM archon_settings");
        ProgressEvent wiped = sync(false).snapshot();
        assertEquals(SyncStatus.REFUSED, wiped.status(), wiped::toString);
        assertTrue(wiped.error().contains("archon_settings") && wiped.error().contains("wiped"), wiped.error());
    }

    @Test
    void aFirstSyncIsJudgedByRowCounts() {
        h.reset("tpl_big", "tpl_small");
        ProgressEvent first = sync(false).snapshot();
        assertEquals(SyncStatus.REFUSED, first.status(), first::toString);
        assertTrue(first.error().contains("no earlier sync into this target is recorded") || first.error().contains("wiped"), first.error());
    }
}
