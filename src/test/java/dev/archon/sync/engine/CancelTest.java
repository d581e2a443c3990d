package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.engine.session.SyncLockKey;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.DbChecksum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A cancel from any phase leaves the target exactly as it was and no work files behind. */
class CancelTest {
    private final EngineHarness h = new EngineHarness();

    /**
     * Cancels the sync at the moment it is reached: from the job's own event (subscribers see every change,
     * in order), so the cancel lands inside that moment rather than whenever a poller looks.
     */
    private SyncJob cancelWhen(Predicate<ProgressEvent> moment, String localTemplate) {
        h.reset(localTemplate, "tpl_big");
        DbChecksum before = h.localSum();
        SyncJob job = new SyncJob(request(Direction.REMOTE_TO_LOCAL));
        AtomicReference<ProgressEvent> cancelledAt = new AtomicReference<>();
        AtomicBoolean accepted = new AtomicBoolean();
        job.subscribe(e -> {
            if (!e.status().isFinal() && moment.test(e) && cancelledAt.compareAndSet(null, e)) {
                accepted.set(job.cancelSignal().cancel());
            }
        });
        h.engine().start(job);
        EngineHarness.awaitEnd(job);
        assertNotNull(cancelledAt.get(), () -> "the sync ended before the moment came: " + job.snapshot());
        assertTrue(accepted.get(), "cancel accepted before COMMIT");
        assertEquals(SyncStatus.CANCELLED, job.status(), () -> job.snapshot().toString());
        assertEquals(before, h.localSum(), "target identical to before");
        assertNoWorkFiles(job);
        return job;
    }

    /**
     * exporting: a fresh target, so pg_dump runs for the schema and the cancel kills it; importing: mid-rows of
     * the big table; indexing: between or inside the index builds. The sync ends cancelled in that phase.
     */
    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"EXPORTING", "IMPORTING", "INDEXING"})
    void cancelInEachPhase(Phase phase) {
        Predicate<ProgressEvent> moment = phase == Phase.IMPORTING ? e -> e.phase() == phase && e.rowsSynced() > 2000 : e -> e.phase() == phase;
        SyncJob job = cancelWhen(moment, phase == Phase.EXPORTING ? "tpl_supabase" : "tpl_small");
        assertEquals(phase, job.phase());
    }

    @Test
    void cancelBetweenStepsStillStops() {
        h.reset("tpl_small", "tpl_small");
        DbChecksum before = h.localSum();
        SyncJob job = new SyncJob(request(Direction.REMOTE_TO_LOCAL));
        // the cancel lands before any step of the pipeline has started a statement or a process
        job.cancelSignal().cancel();
        h.engine().start(job);
        EngineHarness.awaitEnd(job);
        assertEquals(SyncStatus.CANCELLED, job.status());
        assertEquals(before, h.localSum());
    }

    @Test
    void cancelAfterCommitReportsTheTruth() {
        h.reset("tpl_small", "tpl_small");
        SyncJob job = EngineHarness.run(h.engine(), request(Direction.REMOTE_TO_LOCAL));
        assertEquals(SyncStatus.COMPLETED, job.status());
        assertFalse(job.cancelSignal().cancel(), "too late: committed");
        assertEquals(SyncStatus.COMPLETED, job.status());
    }

    @Test
    void commitAndCancelAreMutuallyExclusive() {
        CancelSignal committing = new CancelSignal();
        committing.beginCommit();
        assertFalse(committing.cancel(), "once COMMIT has begun, cancel is refused");
        CancelSignal cancelled = new CancelSignal();
        assertTrue(cancelled.cancel());
        assertThrows(SyncCancelledException.class, cancelled::beginCommit, "a cancelled sync never commits");
    }

    @Test
    void anotherInstanceHoldingTheLockMeansConflict() throws SQLException {
        h.reset("tpl_small", "tpl_small");
        try (Connection other = h.local().connect(LOCAL_DB)) {
            Sql.queryString(other, "SELECT pg_advisory_lock(?)::text", SyncLockKey.KEY);
            SyncJob job = new SyncJob(request(Direction.REMOTE_TO_LOCAL));
            assertThrows(SyncConflictException.class, () -> h.engine().start(job));
        }
        // released: the next one runs
        assertEquals(SyncStatus.COMPLETED, EngineHarness.run(h.engine(), request(Direction.REMOTE_TO_LOCAL)).status());
    }

    private void assertNoWorkFiles(SyncJob job) {
        Path dir = h.settings().workDir();
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(job.id())), "work files removed");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
