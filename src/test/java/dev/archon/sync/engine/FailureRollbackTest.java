package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.exec;
import static dev.archon.sync.engine.EngineHarness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.DbChecksum;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failures at the worst moments leave the target exactly as it was, sequences included. */
class FailureRollbackTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void loadingBackendKilledMidLoad() {
        h.reset("tpl_small", "tpl_big");
        DbChecksum before = h.localSum();
        SyncJob job = new SyncJob(request(Direction.REMOTE_TO_LOCAL));
        AtomicLong killed = new AtomicLong(-1);
        // once more than 1,000 rows of the big table have gone in: terminate the target backend that is in the
        // middle of COPY … FROM STDIN into it (from the sync's own progress event, so exactly then)
        job.subscribe(e -> {
            if ("archon_crawled_pages".equals(e.currentTable()) && e.phase() == Phase.IMPORTING && e.rowsSynced() > 1000
                    && killed.compareAndSet(-1, 0)) {
                killed.set(terminateLoadingBackend());
            }
        });
        h.engine().start(job);
        EngineHarness.awaitEnd(job);
        assertEquals(1, killed.get(), "the loading backend was caught mid-load");
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.FAILED, end.status(), end::toString);
        assertTrue(end.error().contains("importing"), end.error());
        assertTrue(end.error().contains("archon_crawled_pages"), end.error());
        assertEquals(before, h.localSum(), "target identical to before, sequences included");
    }

    private long terminateLoadingBackend() {
        try (Connection watcher = h.local().connect(LOCAL_DB)) {
            return Sql.queryLong(watcher, "SELECT count(pg_terminate_backend(p.pid)) FROM pg_stat_progress_copy p "
                    + "WHERE p.relid = 'archon_crawled_pages'::regclass AND p.command = 'COPY FROM'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void verificationFailureAfterSequencesWereSetRollsEverythingBack() {
        h.reset("tpl_small", "tpl_small");
        // a source with an orphan row (its FK checks were switched off): the load works, the sequences are
        // set, then verification finds the orphan before COMMIT
        exec(h.remote(), REMOTE_DB, "SET session_replication_role = replica",
                "INSERT INTO archon_code_examples (url, chunk_number, content, summary, metadata, source_id) "
                        + "VALUES ('https://orphan.example', 1, 'x', 'y', '{}', 'no-such-source')",
                "SELECT setval('archon_code_examples_id_seq', 987654, true)");
        DbChecksum before = h.localSum();
        DbChecksum source = h.remoteSum();
        assertNotEquals(source.sequences(), before.sequences(), "the sync would change the target's sequences");
        SyncJob job = EngineHarness.run(h.engine(), EngineHarness.forced(Direction.REMOTE_TO_LOCAL));
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.FAILED, end.status(), end::toString);
        assertEquals(Phase.VERIFYING, end.phase());
        assertTrue(end.error().contains("archon_code_examples") && end.error().contains("foreign key"), end.error());
        assertEquals(before, h.localSum(), "target identical to before, sequences included");
    }
}
