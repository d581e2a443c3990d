package dev.archon.sync.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A real sync (with its backup, so every phase runs) while readers hammer {@link SyncJob#snapshot()}: every
 * event a subscriber gets and every snapshot a reader takes is one whole moment, and none goes backwards.
 */
class ProgressConsistencyTest {
    private static final int READERS = 2;
    private final EngineHarness h = new EngineHarness();

    @Test
    void everyEventAndEverySnapshotIsWholeAndMovesForward() throws Exception {
        h.reset("tpl_small", "tpl_big");
        SyncJob job = new SyncJob(SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).backup(true).build());
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        job.subscribe(events::add);
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<Long>> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(pool.submit(() -> readUntilFinal(job)));
            }
            h.engine().start(job);
            EngineHarness.awaitEnd(job);
            assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());

            assertInOrder("subscriber", events);
            assertEquals(List.of(Phase.VALIDATING, Phase.BACKING_UP, Phase.EXPORTING, Phase.IMPORTING, Phase.INDEXING,
                    Phase.VERIFYING, Phase.COMPLETED), distinctPhases(events), "a subscriber sees every phase, in order");
            assertEquals(events.get(events.size() - 1), job.snapshot(), "the last event is the final state");
            long snapshots = 0;
            for (Future<Long> r : readers) {
                snapshots += r.get();
            }
            assertTrue(snapshots > events.size(), "the readers really hammered: " + snapshots + " snapshots");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads snapshots until the final one, checking each against the one before; returns how many. */
    private static long readUntilFinal(SyncJob job) {
        long n = 0;
        ProgressEvent prev = null;
        ProgressEvent e;
        do {
            e = job.snapshot();
            assertInOrder("reader", prev == null ? List.of(e) : List.of(prev, e));
            prev = e;
            n++;
            LockSupport.parkNanos(50_000); // thousands of reads a second, without taking a core from the sync
        } while (!e.status().isFinal());
        return n;
    }

    /** Each event is one moment (its counters agree with its report) and nothing moves backwards. */
    private static void assertInOrder(String who, List<ProgressEvent> events) {
        ProgressEvent prev = null;
        for (ProgressEvent e : events) {
            int tablesReported = e.report() == null ? 0 : e.report().tables().size();
            assertEquals(e.tablesCompleted(), tablesReported, () -> who + ": counters and report of two moments: " + e);
            assertTrue(e.rowsSynced() <= e.totalRows() || e.totalRows() == 0, () -> who + ": " + e);
            if (e.status() == SyncStatus.COMPLETED) {
                assertEquals(100.0, e.percentComplete(), () -> who + ": " + e);
                assertEquals(Phase.COMPLETED, e.phase(), () -> who + ": " + e);
            }
            if (prev != null) {
                ProgressEvent p = prev;
                assertTrue(e.percentComplete() >= p.percentComplete(), () -> who + ": percent went back from " + p + " to " + e);
                assertTrue(e.phase().ordinal() >= p.phase().ordinal(), () -> who + ": phase went back from " + p + " to " + e);
                assertTrue(e.rowsSynced() >= p.rowsSynced(), () -> who + ": rows went back from " + p + " to " + e);
                assertTrue(e.tablesCompleted() >= p.tablesCompleted(), () -> who + ": tables went back from " + p + " to " + e);
                assertTrue(!p.status().isFinal() || e.status() == p.status(), () -> who + ": left a final status: " + p + " → " + e);
            }
            prev = e;
        }
    }

    private static List<Phase> distinctPhases(List<ProgressEvent> events) {
        List<Phase> phases = new ArrayList<>();
        for (ProgressEvent e : events) {
            if (phases.isEmpty() || phases.get(phases.size() - 1) != e.phase()) {
                phases.add(e.phase());
            }
        }
        return Collections.unmodifiableList(phases);
    }
}
