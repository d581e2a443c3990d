package dev.archon.sync.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.testing.ArchonVersion;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, credentials said plainly: the plan counts the encrypted settings a sync copies, and with
 * {@code keep_target_credentials} the target's own encrypted settings survive (its placeholders too), the
 * source's are not copied, a source row in the way of a kept key is left out, and the sync verifies; the next
 * sync, unforced, is not taken for data loss (the fingerprint recorded is the target's table as kept).
 * Upstream v1's fixture, remote → local: the remote has 2 API keys, the local 2 of its own.
 */
class KeepTargetCredentialsTest {
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "credentials-sync-worker");
        t.setDaemon(true);
        return t;
    });
    private static final Direction D = Direction.REMOTE_TO_LOCAL;
    private static final String CREDENTIAL = "(is_encrypted IS TRUE OR encrypted_value IS NOT NULL)";
    private final TestClusters clusters = TestClusters.get();

    private void reset() {
        ArchonVersion v = ArchonVersion.V1_STABLE;
        clusters.reset(clusters.local(), ArchonVersionsTest.LOCAL_DB, clusters.template(clusters.local(), v));
        clusters.reset(clusters.remote(), ArchonVersionsTest.REMOTE_DB, clusters.template(clusters.remote(), v));
    }

    private SyncJob run(boolean keep, boolean force, boolean dryRun) {
        SyncEngine engine = new SyncEngine(ArchonVersionsTest.settings(ArchonVersion.V1_STABLE), WORKER);
        return EngineHarness.run(engine, SyncRequest.sync(D, Trigger.MANUAL).force(force).dryRun(dryRun).keepTargetCredentials(keep).build());
    }

    @Test
    void thePlanCountsTheEncryptedSettingsCopied() throws SQLException {
        reset();
        SyncJob dry = run(false, true, true);
        assertEquals(SyncStatus.COMPLETED, dry.status(), () -> dry.snapshot().toString());
        Notice n = encryptedSettings(dry);
        assertTrue(n.message().startsWith("2 encrypted settings (API keys in archon_settings) will be copied"), n.message());
        assertTrue(n.message().contains("SUPABASE_SERVICE_KEY") && n.message().contains("POST /api/credentials/initialize"), n.message());

        SyncJob job = run(false, true, false);
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(encryptedSettings(dry), encryptedSettings(job));
        assertEquals(rows(clusters.remote(), ArchonVersionsTest.REMOTE_DB, "true"), rows(clusters.local(), ArchonVersionsTest.LOCAL_DB, "true"));
    }

    @Test
    void keepTargetCredentialsKeepsTheTargetsOwnAndVerifies() throws SQLException {
        reset();
        PgCluster local = clusters.local();
        String db = ArchonVersionsTest.LOCAL_DB;
        // a key the target holds encrypted while the source holds it plain: the target's wins (key is unique)
        local.exec(db, "UPDATE public.archon_settings SET is_encrypted = true, value = NULL, encrypted_value = 'gAAAAB-target-base-url' "
                + "WHERE key = 'LLM_BASE_URL'");
        List<String> ownCredentials = rows(local, db, CREDENTIAL);
        List<String> sourcePlain = rows(clusters.remote(), ArchonVersionsTest.REMOTE_DB, "NOT " + CREDENTIAL
                + " AND key <> 'LLM_BASE_URL'");
        assertEquals(6, ownCredentials.size()); // the 5 API-key rows (2 of them set) and the base URL
        SyncJob dry = run(true, true, true);
        Notice n = encryptedSettings(dry);
        assertTrue(n.message().startsWith("Keeping the target's own credentials (keep_target_credentials): its 3 encrypted settings"
                + " stay as they are and the source's 2 are not copied"), n.message());

        SyncJob job = run(true, true, false);
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertEquals(ownCredentials, rows(local, db, CREDENTIAL), "the target's own credential rows, unchanged");
        assertEquals(sourcePlain, rows(local, db, "NOT " + CREDENTIAL), "the source's other settings");
        assertNotEquals(rows(clusters.remote(), ArchonVersionsTest.REMOTE_DB, "true"), rows(local, db, "true"));

        // the next sync, unforced: the target still holds what this one left, so nothing counts as lost
        clusters.remote().exec(ArchonVersionsTest.REMOTE_DB, "UPDATE public.archon_settings SET value = 'changed' WHERE key = 'HOST'");
        SyncJob again = run(true, false, false);
        assertEquals(SyncStatus.COMPLETED, again.status(), () -> again.snapshot().toString());
        assertEquals(ownCredentials, rows(local, db, CREDENTIAL));
        assertEquals("changed", ArchonVersionsTest.scalar(local, db, "SELECT value FROM public.archon_settings WHERE key = 'HOST'"));
    }

    private static Notice encryptedSettings(SyncJob job) {
        List<Notice> n = job.snapshot().notices().stream().filter(x -> x.code().equals("encrypted_settings")).toList();
        assertEquals(1, n.size(), () -> job.snapshot().toString());
        return n.get(0);
    }

    /** The archon_settings rows matching {@code where}, whole, in key order. */
    private static List<String> rows(PgCluster c, String db, String where) throws SQLException {
        try (Connection conn = c.connect(db); Statement st = conn.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            List<String> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT s::text FROM public.archon_settings s WHERE " + where + " ORDER BY key")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
