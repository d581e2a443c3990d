package dev.archon.sync.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.TableName;
import dev.archon.sync.testing.ArchonVersion;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Issue 19's version matrix: for each Archon version users run, a fresh target and an existing one, both
 * directions, with the service's default settings → completed, every table of the set checksum-identical
 * to the source, the per-machine logs and Archon's backup copies never moved, the search functions answering
 * with the stored rows as Supabase's service_role, and on a fresh target one {@code pgrst} notification
 * after COMMIT, so PostgREST reloads its schema cache.
 */
class ArchonVersionsTest {
    static final String LOCAL_DB = "ver_local";
    static final String REMOTE_DB = "ver_remote";
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "versions-sync-worker");
        t.setDaemon(true);
        return t;
    });
    private final TestClusters clusters = TestClusters.get();

    @ParameterizedTest
    @EnumSource(ArchonVersion.class)
    void freshTargetBothDirections(ArchonVersion v) throws Exception {
        for (Direction d : Direction.values()) {
            reset(v, d, true);
            if (v == ArchonVersion.FORK_DEVELOP) {
                // Supabase has ltree but does not enable it: the sync says so, and what to run, before anything moves
                SyncJob refused = run(v, d);
                assertEquals(SyncStatus.REFUSED, refused.status(), () -> refused.snapshot().toString());
                assertTrue(refused.snapshot().refusals().stream().anyMatch(r -> r.code().equals("extension_missing_on_target")
                        && r.message().contains("CREATE EXTENSION IF NOT EXISTS \"ltree\" WITH SCHEMA \"extensions\"")),
                        () -> refused.snapshot().refusals().toString());
                exec(target(d), targetDb(d), "CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA extensions");
            }
            SyncJob job;
            int notifications;
            try (Connection listener = target(d).connect(targetDb(d))) {
                exec(listener, "LISTEN pgrst");
                job = run(v, d);
                notifications = pgrstNotifications(listener);
            }
            assertSynced(v, d, job, Map.of());
            assertEquals(1, notifications, v + " " + d + ": PostgREST must hear of the new schema once, after COMMIT");
        }
    }

    @ParameterizedTest
    @EnumSource(ArchonVersion.class)
    void existingTargetBothDirections(ArchonVersion v) throws Exception {
        for (Direction d : Direction.values()) {
            reset(v, d, false);
            Map<String, String> logsBefore = perMachine(target(d), targetDb(d));
            assertSynced(v, d, run(v, d), logsBefore);
        }
    }

    /**
     * Sides on different Archon versions (needs the tables branch: the set found on both sides and
     * archon_migrations compared). The fork's develop locally, its main on the remote: refused, naming a
     * migration the remote lacks. Upstream v1 with work orders locally, plain v1 on the remote: with
     * {@code "schema": true} the three missing tables are created and the sync completes.
     */
    @Test
    void mixedVersions() throws Exception {
        Direction d = Direction.LOCAL_TO_REMOTE;
        clusters.reset(clusters.local(), LOCAL_DB, clusters.template(clusters.local(), ArchonVersion.FORK_DEVELOP));
        clusters.reset(clusters.remote(), REMOTE_DB, clusters.template(clusters.remote(), ArchonVersion.FORK));
        SyncJob newer = EngineHarness.run(new SyncEngine(settings(ArchonVersion.FORK_DEVELOP), WORKER),
                SyncRequest.sync(d, Trigger.MANUAL).force(true).build());
        assertEquals(SyncStatus.REFUSED, newer.status(), () -> newer.snapshot().toString());
        assertTrue(newer.snapshot().refusals().stream().anyMatch(r -> r.message().contains("005_enhance_archon_tasks")),
                () -> newer.snapshot().refusals().toString());

        clusters.reset(clusters.local(), LOCAL_DB, clusters.template(clusters.local(), ArchonVersion.V1_WORK_ORDERS));
        clusters.reset(clusters.remote(), REMOTE_DB, clusters.template(clusters.remote(), ArchonVersion.V1_STABLE));
        Map<String, String> logsBefore = perMachine(target(d), targetDb(d));
        SyncJob schema = EngineHarness.run(new SyncEngine(settings(ArchonVersion.V1_WORK_ORDERS), WORKER),
                SyncRequest.sync(d, Trigger.MANUAL).force(true).schema(true).build());
        assertSynced(ArchonVersion.V1_WORK_ORDERS, d, schema, logsBefore);
    }

    // ------------------------------------------------------------------ the sync and what must hold after it

    private void reset(ArchonVersion v, Direction d, boolean freshTarget) {
        clusters.reset(clusters.local(), LOCAL_DB, freshTarget && d == Direction.REMOTE_TO_LOCAL ? TestClusters.SUPABASE
                : clusters.template(clusters.local(), v));
        clusters.reset(clusters.remote(), REMOTE_DB, freshTarget && d == Direction.LOCAL_TO_REMOTE ? TestClusters.SUPABASE
                : clusters.template(clusters.remote(), v));
    }

    /** A forced sync (two machines that never synced: the data-loss guard has no memory yet), no backup. */
    private SyncJob run(ArchonVersion v, Direction d) {
        SyncEngine engine = new SyncEngine(settings(v), WORKER);
        return EngineHarness.run(engine, SyncRequest.sync(d, Trigger.MANUAL).force(true).build());
    }

    /** The service's default settings: the set found on the source, nothing pinned, nothing excluded. */
    static SyncSettings settings(ArchonVersion v) {
        TestClusters c = TestClusters.get();
        return new SyncSettings(PgUri.parse(c.local().url(LOCAL_DB)), PgUri.parse(c.remote().url(REMOTE_DB)), TableSelection.found(List.of()),
                Path.of(System.getProperty("user.dir"), "target", "sync-work"), "256MB", Duration.ofSeconds(20),
                PgClientTools.discover("auto"), new BackupStore(Path.of(System.getProperty("user.dir"), "target", "versions-backups"), 3),
                SyncSettings.FreeSpace.FILESYSTEM);
    }

    private void assertSynced(ArchonVersion v, Direction d, SyncJob job, Map<String, String> logsBefore) throws SQLException {
        String what = v + " " + d.wire();
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> what + ": " + job.snapshot());
        assertNull(job.snapshot().error(), what);
        DbChecksum source = DbChecksum.of(source(d), sourceDb(d));
        DbChecksum target = DbChecksum.of(target(d), targetDb(d));
        // every table of the set, as the source has it
        assertEquals(v.tables().size(), job.plan().tables().size(), () -> what + ": " + job.plan().tableNames());
        for (String t : v.tables()) {
            assertEquals(source.tables().get(t), target.tables().get(t), what + ": " + t);
        }
        // the per-machine logs and Archon's backup copies: never moved; the target's own left as they were, a fresh
        // target's logs created empty (Archon writes them) and no backup copy made up there
        Map<String, String> logsAfter = perMachine(target(d), targetDb(d));
        if (job.plan().freshTarget()) {
            logsAfter.forEach((t, sum) -> assertEquals(0, DbChecksum.of(target(d), targetDb(d)).rows(t), what + ": " + t));
            List<String> copies = logsAfter.keySet().stream().filter(t -> t.contains("_backup_")).toList();
            assertEquals(List.of(), copies, what + ": Archon's backup copies created on a fresh target");
        } else {
            assertEquals(logsBefore, logsAfter, what + ": per-machine logs or backup copies changed");
        }
        assertTrue(job.plan().tableNames().stream().map(TableName::name).noneMatch(ArchonVersionsTest::neverSynced), what);
        // Archon's server (PostgREST as service_role) finds the stored rows with the search functions
        for (String q : searches()) {
            List<String> expected = asServiceRole(source(d), sourceDb(d), q);
            assertFalse(expected.isEmpty(), what + ": " + q);
            assertEquals(expected, asServiceRole(target(d), targetDb(d), q), what + ": " + q);
        }
    }

    static boolean neverSynced(String table) {
        return List.of("archon_mcp_sessions", "archon_mcp_requests", "archon_sync_history").contains(table)
                || table.matches("archon_.*_backup_\\d+_\\d+");
    }

    /** Checksums of the target's tables a sync must never touch. */
    private static Map<String, String> perMachine(PgCluster c, String db) {
        Map<String, String> m = new TreeMap<>();
        DbChecksum.of(c, db).tables().forEach((t, sum) -> {
            if (neverSynced(t)) {
                m.put(t, sum);
            }
        });
        return m;
    }

    /** Nearest neighbours of a stored embedding (itself first), and the hybrid search, as every version has them. */
    private static List<String> searches() {
        String page = "(SELECT embedding_1536 FROM public.archon_crawled_pages WHERE embedding_1536 IS NOT NULL ORDER BY url, chunk_number LIMIT 1)";
        String code = "(SELECT embedding_1536 FROM public.archon_code_examples WHERE embedding_1536 IS NOT NULL ORDER BY url, chunk_number LIMIT 1)";
        String word = "(SELECT split_part(content, ' ', 1) FROM public.archon_crawled_pages ORDER BY url, chunk_number LIMIT 1)";
        return List.of(
                "SELECT url, chunk_number, round(similarity::numeric, 6) FROM public.match_archon_crawled_pages(" + page + ", 5)",
                "SELECT url, chunk_number, round(similarity::numeric, 6) FROM public.match_archon_code_examples(" + code + ", 5)",
                "SELECT url, chunk_number, match_type FROM public.hybrid_search_archon_crawled_pages(" + page + ", " + word + ", 5)");
    }

    /**
     * As PostgREST runs a request for Archon's server: role service_role, search_path public, extensions. The
     * probes cover every IVFFlat list, so the answer is exact whatever order the index was built in.
     */
    private static List<String> asServiceRole(PgCluster c, String db, String query) throws SQLException {
        try (Connection conn = c.connect(db)) {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.execute("SET LOCAL ROLE service_role");
                st.execute("SET LOCAL search_path = public, extensions");
                st.execute("SET LOCAL ivfflat.probes = 100");
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(query)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<String> cols = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            cols.add(rs.getString(i));
                        }
                        rows.add(String.join("|", cols));
                    }
                }
                return rows;
            } finally {
                conn.rollback();
            }
        }
    }

    /** The pgrst notifications delivered to a listener once the sync has ended (its COMMIT is done by then). */
    private static int pgrstNotifications(Connection listener) throws SQLException {
        PGConnection pg = listener.unwrap(PGConnection.class);
        int n = 0;
        // wait for the first one a while; then take whatever else is already there
        for (int wait = 3000; ; wait = 200) {
            PGNotification[] got = pg.getNotifications(wait);
            if (got == null || got.length == 0) {
                return n;
            }
            for (PGNotification g : got) {
                if (g.getName().equals("pgrst")) {
                    assertEquals("reload schema", g.getParameter());
                    n++;
                }
            }
        }
    }

    private PgCluster source(Direction d) {
        return d == Direction.LOCAL_TO_REMOTE ? clusters.local() : clusters.remote();
    }

    private PgCluster target(Direction d) {
        return d == Direction.LOCAL_TO_REMOTE ? clusters.remote() : clusters.local();
    }

    private static String sourceDb(Direction d) {
        return d == Direction.LOCAL_TO_REMOTE ? LOCAL_DB : REMOTE_DB;
    }

    private static String targetDb(Direction d) {
        return d == Direction.LOCAL_TO_REMOTE ? REMOTE_DB : LOCAL_DB;
    }

    static String scalar(PgCluster c, String db, String sql) throws SQLException {
        try (Connection conn = c.connect(db); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void exec(PgCluster c, String db, String sql) {
        c.exec(db, sql);
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
