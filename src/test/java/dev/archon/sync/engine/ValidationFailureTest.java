package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.testing.DbChecksum;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Validation that breaks is a failure with its cause, never a refusal: a refusal is a verdict about the
 * data the user can act on; a lost connection or a bug is not. Either way nothing is touched or launched.
 */
class ValidationFailureTest {
    private final EngineHarness h = new EngineHarness();

    private SyncEngine engineWhoseDiskProbe(SyncSettings.FreeSpace probe) {
        return new SyncEngine(h.settings(h.local().url(LOCAL_DB), h.remote().url(REMOTE_DB), PgClientTools.discover("auto"),
                EngineHarness.BACKUP_DIR, probe), Executors.newSingleThreadExecutor());
    }

    private static SyncRequest withBackup() {
        return SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).backup(true).build();
    }

    @Test
    void aLostSourceConnectionDuringValidationIsAFailureNotARefusal() {
        h.reset("tpl_small", "tpl_small");
        DbChecksum local = h.localSum();
        DbChecksum remote = h.remoteSum();
        // the backup's disk probe runs in the middle of preflight: the source session dies right then
        SyncEngine engine = engineWhoseDiskProbe(dir -> {
            try (Connection c = h.remote().connect(REMOTE_DB)) {
                Sql.queryLong(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE ?",
                        "archon-db-sync source %");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return Long.MAX_VALUE;
        });
        SyncJob job = new SyncJob(withBackup());
        Validation v = engine.validate(job);

        Validation.Failed failed = assertInstanceOf(Validation.Failed.class, v);
        assertTrue(failed.databaseTrouble(), "a database error: 503, worth retrying");
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.FAILED, end.status(), end::toString);
        assertEquals(Phase.VALIDATING, end.phase());
        assertTrue(end.refusals().isEmpty(), () -> "not a refusal: " + end.refusals());
        assertTrue(end.error().startsWith("failed while validating: "), end.error());
        assertFalse(end.error().contains(h.remote().password()), "no secret in the cause");
        assertEquals(local, h.localSum());
        assertEquals(remote, h.remoteSum());
    }

    @Test
    void aBugDuringValidationIsAFailureWithItsCause() {
        h.reset("tpl_small", "tpl_small");
        SyncJob job = new SyncJob(withBackup());
        Validation v = engineWhoseDiskProbe(dir -> {
            throw new IllegalStateException("the disk probe broke");
        }).validate(job);

        Validation.Failed failed = assertInstanceOf(Validation.Failed.class, v);
        assertFalse(failed.databaseTrouble(), "the service's own fault: 500");
        assertEquals(SyncStatus.FAILED, job.status());
        assertEquals("failed while validating: the disk probe broke", job.snapshot().error());
        // the sessions preflight opened are closed again: the next sync takes the locks at once
        assertEquals(SyncStatus.COMPLETED, EngineHarness.run(h.engine(), EngineHarness.request(Direction.REMOTE_TO_LOCAL)).status());
    }
}
