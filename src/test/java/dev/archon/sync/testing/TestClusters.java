package dev.archon.sync.testing;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The JVM-wide pair of PostgreSQL 15 test clusters, "remote" and "local", started on first use.
 * Each gets four template databases, built once per JVM and never modified afterwards:
 * <ul>
 *   <li>{@link #BIG}: Archon schema + data at {@code -Darchon.test.big-scale} (default 0.1, i.e.
 *       21,871 crawled pages), seed 1 on remote and 2 on local, so the two sides differ;</li>
 *   <li>{@link #SMALL}: scale 0.01, seed 3 on remote and 4 on local;</li>
 *   <li>{@link #SCHEMA}: Archon schema, no rows;</li>
 *   <li>{@link #SUPABASE}: Supabase emulation only, no Archon tables (a fresh machine).</li>
 * </ul>
 * A test gets its own copy with {@link #reset} (CREATE DATABASE ... TEMPLATE, seconds).
 * Templates allow connections (for reading expected checksums), but CREATE DATABASE from a
 * template fails while anyone is connected to it, so read them through {@link #templateChecksum}.
 */
public final class TestClusters {

    public static final String BIG = "tpl_big";
    public static final String SMALL = "tpl_small";
    public static final String SCHEMA = "tpl_schema";
    public static final String SUPABASE = "tpl_supabase";

    private static volatile TestClusters instance;
    /**
     * JVM-wide, not per class loader: @QuarkusTest classes see their own copy of this class, so the
     * first loader publishes the running clusters in a system property and later loaders attach.
     */
    private static final String SHARED = "archon.test.clusters.running";
    private static final Object JVM_LOCK = "dev.archon.sync.testing.TestClusters".intern();

    private final PgCluster remote;
    private final PgCluster local;
    private final double bigScale;
    private final long templateMillis;
    private final Map<String, DbChecksum> checksums = new ConcurrentHashMap<>();

    private TestClusters(PgCluster remote, PgCluster local, double bigScale, long templateMillis) {
        this.remote = remote;
        this.local = local;
        this.bigScale = bigScale;
        this.templateMillis = templateMillis;
    }

    /** Starts both clusters and builds the templates on first call. */
    public static TestClusters get() {
        TestClusters t = instance;
        if (t == null) {
            synchronized (JVM_LOCK) {
                t = instance;
                if (t == null) {
                    String shared = System.getProperty(SHARED);
                    instance = t = shared != null ? attach(shared) : create();
                }
            }
        }
        return t;
    }

    public PgCluster remote() { return remote; }
    public PgCluster local() { return local; }
    public double bigScale() { return bigScale; }
    /** Wall time it took to start the clusters and build all templates (for reports, not asserts). */
    public long templateMillis() { return templateMillis; }

    /**
     * The template of an Archon version on one cluster, built on first use (only the versions a test asks
     * for cost anything): remote gets seed 11, local seed 12, so the two sides hold different rows.
     */
    public String template(PgCluster c, ArchonVersion v) {
        synchronized (JVM_LOCK) {
            String tpl = v.template();
            boolean exists;
            try (var conn = c.connect("postgres"); var ps = conn.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, tpl);
                try (var rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot look for " + tpl + " on " + c + ": " + e.getMessage(), e);
            }
            if (!exists) {
                long t0 = System.nanoTime();
                String building = tpl + "_building"; // renamed when done: a half-built template is never used
                c.dropDatabase(building);
                try {
                    ArchonFixture.createVersionDatabase(c, building, v, c.name().equals("remote") ? 11 : 12);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot build " + tpl + " on " + c.name() + ": " + e.getMessage(), e);
                }
                c.exec("postgres", "ALTER DATABASE " + PgCluster.ident(building) + " RENAME TO " + PgCluster.ident(tpl));
                c.exec("postgres", "ALTER DATABASE " + PgCluster.ident(tpl) + " IS_TEMPLATE true");
                System.out.printf("[test-clusters] %s/%s built in %.1f s%n", c.name(), tpl, (System.nanoTime() - t0) / 1e9);
            }
            return tpl;
        }
    }

    /** Drops {@code db} (terminating its connections) and recreates it as a copy of {@code template}. */
    public void reset(PgCluster c, String db, String template) {
        if (db.startsWith("tpl_") || db.equals("postgres") || db.startsWith("template")) {
            throw new IllegalArgumentException("refusing to reset " + db);
        }
        c.dropDatabase(db);
        c.createDatabase(db, template);
    }

    /** The checksum of a template (computed once, templates never change). */
    public DbChecksum templateChecksum(PgCluster c, String template) {
        return checksums.computeIfAbsent(c.name() + "/" + template, k -> DbChecksum.of(c, template));
    }

    private static TestClusters create() {
        Path bin = Path.of(System.getProperty("archon.test.pg15.bin", "/usr/lib/postgresql/15/bin"));
        double bigScale = Double.parseDouble(System.getProperty("archon.test.big-scale", "0.1"));
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread th = new Thread(r, "test-cluster-setup");
            th.setDaemon(true);
            return th;
        });
        try {
            // One thread per cluster: the two generators run in parallel on separate servers.
            Future<PgCluster> remote = pool.submit(() -> build("remote", bin, bigScale, 1, 3));
            Future<PgCluster> local = pool.submit(() -> build("local", bin, bigScale, 2, 4));
            TestClusters t = new TestClusters(remote.get(), local.get(), bigScale,
                    (System.nanoTime() - t0) / 1_000_000);
            System.out.printf("[test-clusters] remote %s, local %s; templates (big scale %s) ready in %.1f s%n",
                    t.remote, t.local, bigScale, t.templateMillis / 1000.0);
            System.setProperty(SHARED, String.join("\n", t.remote.describe(), t.local.describe(),
                    Double.toString(bigScale), Long.toString(t.templateMillis)));
            return t;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up the test clusters: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the test clusters", e);
        } finally {
            pool.shutdown();
        }
    }

    private static TestClusters attach(String shared) {
        String[] l = shared.split("\n");
        return new TestClusters(PgCluster.attach(l[0]), PgCluster.attach(l[1]), Double.parseDouble(l[2]),
                Long.parseLong(l[3]));
    }

    private static PgCluster build(String name, Path bin, double bigScale, long bigSeed, long smallSeed)
            throws SQLException {
        PgCluster c = PgCluster.start(name, bin);
        long t0 = System.nanoTime();
        ArchonFixture.createDatabase(c, SUPABASE, "template0", false, 0, 0);
        ArchonFixture.createDatabase(c, SCHEMA, "template0", true, 0, 0);
        for (Object[] d : List.of(new Object[] {SMALL, 0.01, smallSeed}, new Object[] {BIG, bigScale, bigSeed})) {
            long t1 = System.nanoTime();
            ArchonFixture.createDatabase(c, (String) d[0], SCHEMA, true, (Double) d[1], (Long) d[2]);
            System.out.printf("[test-clusters] %s/%s: scale %s seed %s generated in %.1f s%n",
                    name, d[0], d[1], d[2], (System.nanoTime() - t1) / 1e9);
        }
        for (String tpl : List.of(SUPABASE, SCHEMA, SMALL, BIG)) {
            c.exec("postgres", "ALTER DATABASE " + PgCluster.ident(tpl) + " IS_TEMPLATE true");
        }
        System.out.printf("[test-clusters] %s: templates built in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        return c;
    }
}
