package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.TableName;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The fixture of the row-delta tests ({@link RowDeltaTest}, {@link BucketMemoryTest}) on real clusters: Archon's
 * tables (tpl_small) plus two tables made for the awkward cases — a uuid key with NULL, NaN and -0 values and a
 * generated column, and its FK child with a composite key, a bigserial and ON DELETE/UPDATE CASCADE — and a plain
 * table with an integer key, one engine
 * over all of them, both directions, and what the tests ask of either side.
 */
final class DeltaTables {
    static final List<String> EXTRA = List.of("delta_parent", "delta_child", "delta_wide");
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "row-delta-test-worker");
        t.setDaemon(true);
        return t;
    });
    private static final String[] SCHEMA = {
        "CREATE TABLE delta_parent (id uuid PRIMARY KEY, v float8, r real, n numeric, t text, "
                + "g text GENERATED ALWAYS AS (coalesce(t, '') || '!') STORED)",
        "INSERT INTO delta_parent (id, v, r, n, t) SELECT md5('p' || i)::uuid, "
                + "CASE WHEN i % 7 = 0 THEN 'NaN' WHEN i % 11 = 0 THEN '-0' WHEN i % 13 = 0 THEN NULL ELSE i * 1.5 END, "
                + "CASE WHEN i % 5 = 0 THEN '-0'::real WHEN i % 9 = 0 THEN 'NaN'::real ELSE i END, "
                + "CASE WHEN i % 3 = 0 THEN NULL WHEN i % 17 = 0 THEN 'NaN'::numeric ELSE i / 7.0 END, "
                + "CASE WHEN i % 19 = 0 THEN NULL ELSE 'text ' || i END FROM generate_series(1, 2000) i",
        "CREATE TABLE delta_child (a bigserial, b text, parent uuid REFERENCES delta_parent ON DELETE CASCADE ON UPDATE CASCADE, "
                + "note text, PRIMARY KEY (a, b))",
        "INSERT INTO delta_child (b, parent, note) SELECT 'c' || i, md5('p' || (i % 2000 + 1))::uuid, 'note ' || i "
                + "FROM generate_series(1, 3000) i",
        // an integer key over 312 range buckets of 16 keys: changes scattered over many of them (BucketMemoryTest)
        "CREATE TABLE delta_wide (id bigint PRIMARY KEY, v text)",
        "INSERT INTO delta_wide SELECT i, 'row ' || i FROM generate_series(1, 5000) i",
    };

    final EngineHarness h = new EngineHarness();

    PgCluster sourceCluster(Direction d) {
        return d == Direction.REMOTE_TO_LOCAL ? h.remote() : h.local();
    }

    PgCluster targetCluster(Direction d) {
        return d == Direction.REMOTE_TO_LOCAL ? h.local() : h.remote();
    }

    static String sourceDb(Direction d) {
        return d == Direction.REMOTE_TO_LOCAL ? REMOTE_DB : LOCAL_DB;
    }

    static String targetDb(Direction d) {
        return d == Direction.REMOTE_TO_LOCAL ? LOCAL_DB : REMOTE_DB;
    }

    void onSource(Direction d, String... sql) {
        exec(sourceCluster(d), sourceDb(d), sql);
    }

    void onTarget(Direction d, String... sql) {
        exec(targetCluster(d), targetDb(d), sql);
    }

    DbChecksum targetSum(Direction d) {
        return DbChecksum.of(targetCluster(d), targetDb(d));
    }

    DbChecksum sourceSum(Direction d) {
        return DbChecksum.of(sourceCluster(d), sourceDb(d));
    }

    /** The synced tables (Archon's 17 and the two above) and every sequence: as the source's. */
    void assertIdentical(Direction d) {
        List<String> synced = new ArrayList<>(EngineHarness.TABLE_NAMES);
        synced.addAll(EXTRA);
        DbChecksum source = sourceSum(d).only(synced);
        DbChecksum target = targetSum(d).only(synced);
        assertEquals(source, target, () -> source.diff(target));
        assertEquals(sourceSum(d).sequences(), targetSum(d).sequences());
    }

    SyncEngine engine() {
        List<TableName> tables = new ArrayList<>(EngineHarness.TABLES);
        EXTRA.forEach(t -> tables.add(TableName.parse(t)));
        SyncSettings s = new SyncSettings(PgUri.parse(h.local().url(LOCAL_DB)), PgUri.parse(h.remote().url(REMOTE_DB)), tables,
                Path.of(System.getProperty("user.dir"), "target", "sync-work"), "256MB", Duration.ofSeconds(20),
                PgClientTools.discover("auto"), new BackupStore(EngineHarness.BACKUP_DIR, 3), SyncSettings.FreeSpace.FILESYSTEM);
        return new SyncEngine(s, WORKERS);
    }

    SyncJob sync(Direction d, boolean force) {
        return EngineHarness.run(engine(), force ? EngineHarness.forced(d) : EngineHarness.request(d));
    }

    /** Both sides equal (tpl_small on both, the extra tables alike), and one sync: the target records what it holds. */
    void afterAFirstSync(Direction d) {
        h.reset("tpl_small", "tpl_small");
        exec(h.local(), LOCAL_DB, SCHEMA);
        exec(h.remote(), REMOTE_DB, SCHEMA);
        SyncJob first = sync(d, true);
        assertEquals(SyncStatus.COMPLETED, first.status(), () -> first.snapshot().toString());
    }

    Map<String, Long> relfilenodes(Direction d) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = targetCluster(d).connect(targetDb(d)); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT relname, relfilenode FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    static Map<String, SyncPlan.Decision> decisions(SyncJob job) {
        return job.snapshot().decisions().stream().collect(Collectors.toMap(SyncPlan.Decision::table, x -> x));
    }

    static Set<String> deltaTables(SyncJob job) {
        return job.snapshot().decisions().stream().filter(x -> SyncPlan.ACTION_DELTA.equals(x.action()))
                .map(x -> TableName.parse(x.table()).name()).collect(Collectors.toSet());
    }

}
