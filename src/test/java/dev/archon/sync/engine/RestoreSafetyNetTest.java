package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.DbChecksum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Restoring the wrong backup must not be the end: the guard asks first, and a safety backup undoes it. */
class RestoreSafetyNetTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void restoreOfAnEmptyBackupIsRefusedUnlessForcedAndThenUndoable() throws Exception {
        Path backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "safety-");
        SyncEngine engine = new SyncEngine(h.settings(h.local().url(LOCAL_DB), h.remote().url(REMOTE_DB),
                PgClientTools.discover("auto"), backups, SyncSettings.FreeSpace.FILESYSTEM), Executors.newSingleThreadExecutor());
        BackupStore store = new BackupStore(backups, 3);
        // the backup of an empty remote, taken by the first cloud sync
        h.reset("tpl_small", "tpl_schema");
        SyncJob first = EngineHarness.run(engine, SyncRequest.sync(Direction.LOCAL_TO_REMOTE, Trigger.MANUAL).backup(true).build());
        assertEquals(SyncStatus.COMPLETED, first.status(), () -> first.snapshot().toString());
        BackupManifest empty = store.list().get(0);
        assertEquals(0, empty.totalRows());
        DbChecksum filled = h.remoteSum();

        SyncJob refused = EngineHarness.run(engine, SyncRequest.restore("remote", empty.id(), Trigger.MANUAL).backup(true).requestedBy("test").build());
        assertEquals(SyncStatus.REFUSED, refused.status(), () -> refused.snapshot().toString());
        assertEquals("data_loss", refused.snapshot().refusals().get(0).code());
        assertEquals(filled, h.remoteSum(), "nothing restored without the user's confirmation");
        assertEquals(1, store.list().size(), "a refused restore writes no backup");

        SyncJob forced = EngineHarness.run(engine, SyncRequest.restore("remote", empty.id(), Trigger.MANUAL).force(true).backup(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, forced.status(), () -> forced.snapshot().toString());
        assertTrue(forced.report().phaseSeconds().containsKey("backing_up"), "a safety backup came first");
        DbChecksum emptied = h.remoteSum();
        assertEquals(0, TABLE_NAMES.stream().mapToLong(emptied::rows).sum(), "the forced restore emptied the tables");
        List<BackupManifest> after = store.list();
        assertEquals(2, after.size());
        BackupManifest safety = after.get(0);
        assertEquals(first.snapshot().totalRows(), safety.totalRows(), "the safety backup holds the rows the restore replaced");

        SyncJob undo = EngineHarness.run(engine, SyncRequest.restore("remote", safety.id(), Trigger.MANUAL).backup(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, undo.status(), () -> undo.snapshot().toString());
        assertEquals(filled, h.remoteSum(), "the safety backup gave every row back");
    }
}
