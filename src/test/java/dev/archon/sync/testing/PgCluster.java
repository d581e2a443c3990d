package dev.archon.sync.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for tests: initdb into {@code target/pg-test/<name>-<pid>}, a free
 * TCP port on 127.0.0.1, scram-sha-256 with a random superuser password, durability off.
 * PostgreSQL refuses to run as root, so as root initdb/pg_ctl run as the {@code postgres} OS user
 * (through {@code runuser}) and the directory is made theirs. A JVM shutdown hook stops the
 * cluster and removes its directory; clusters left behind by a killed JVM are cleaned up by the
 * next {@link #start}.
 */
public final class PgCluster implements AutoCloseable {

    private static final String SUPERUSER = "postgres";
    private static final boolean ROOT = isRoot();

    private final String name;
    private final Path binDir;
    private final Path dir;
    private final Path dataDir;
    private final int port;
    private final String password;
    private volatile boolean running;
    private int majorVersion;
    /** False for a cluster attached from another class loader: its owner stops it. */
    private boolean owner = true;

    private PgCluster(String name, Path binDir, Path dir, int port, String password) {
        this.name = name;
        this.binDir = binDir;
        this.dir = dir;
        this.dataDir = dir.resolve("data");
        this.port = port;
        this.password = password;
    }

    /** initdb + start; the cluster is stopped and deleted at JVM exit (or by {@link #close()}). */
    public static PgCluster start(String name, Path binDir) {
        Path root = Path.of(System.getProperty("user.dir"), "target", "pg-test").toAbsolutePath();
        try {
            Files.createDirectories(root);
            synchronized (PgCluster.class) {
                reapStale(root, binDir);
            }
            Path dir = root.resolve(name + "-" + ProcessHandle.current().pid());
            deleteTree(dir);
            Files.createDirectories(dir);
            if (ROOT) {
                makeTraversable(dir);
                run(List.of("chown", "postgres:postgres", dir.toString()), false);
            }
            PgCluster c = new PgCluster(name, binDir, dir, 0, randomPassword()).initdb();
            Runtime.getRuntime().addShutdownHook(new Thread(c::close, "pg-cluster-" + name + "-cleanup"));
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create cluster " + name + ": " + e.getMessage(), e);
        }
    }

    private PgCluster initdb() throws IOException {
        Path pwFile = dir.resolve("pwfile");
        Files.createFile(pwFile, PosixFilePermissions.asFileAttribute(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        Files.writeString(pwFile, password + "\n");
        if (ROOT) run(List.of("chown", "postgres:postgres", pwFile.toString()), false);
        try {
            run(List.of(bin("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER, "--pwfile=" + pwFile,
                    "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), true);
        } finally {
            Files.deleteIfExists(pwFile);
        }
        // A free port can be taken by someone else between probing and binding: retry.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            PgCluster c = new PgCluster(name, binDir, dir, freePort(), password);
            try {
                c.writeConfig();
                c.pgCtlStart();
                c.running = true;
                c.majorVersion = c.queryMajorVersion();
                return c;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private void writeConfig() throws IOException {
        // postgresql.auto.conf is read last, so these win over postgresql.conf; rewritten per attempt.
        String conf = String.join("\n",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + dir + "'",
                "max_connections = 100",
                "shared_buffers = 256MB",
                "maintenance_work_mem = 512MB",
                "max_wal_size = 4GB",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "autovacuum = off",
                "");
        Path auto = dataDir.resolve("postgresql.auto.conf");
        Files.writeString(auto, conf);
        if (ROOT) run(List.of("chown", "postgres:postgres", auto.toString()), false);
    }

    private void pgCtlStart() {
        run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "120", "start"), true);
    }

    private int queryMajorVersion() {
        try (Connection c = connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1)) / 10000;
        } catch (SQLException e) {
            throw new IllegalStateException("cluster " + name + " does not answer: " + e.getMessage(), e);
        }
    }

    /** One-line description (includes the password) for {@link #attach}. */
    String describe() {
        return String.join("|", name, binDir.toString(), dir.toString(), Integer.toString(port), password,
                Integer.toString(majorVersion));
    }

    /**
     * A handle on a running cluster started by another class loader in this JVM (Quarkus tests load
     * test classes in their own class loader); it never stops the cluster.
     */
    static PgCluster attach(String description) {
        String[] f = description.split("\\|", -1);
        PgCluster c = new PgCluster(f[0], Path.of(f[1]), Path.of(f[2]), Integer.parseInt(f[3]), f[4]);
        c.majorVersion = Integer.parseInt(f[5]);
        c.running = true;
        c.owner = false;
        return c;
    }

    public String name() { return name; }
    public int port() { return port; }
    public String host() { return "127.0.0.1"; }
    public String user() { return SUPERUSER; }
    public String password() { return password; }
    public Path binDir() { return binDir; }
    public Path directory() { return dir; }
    public int majorVersion() { return majorVersion; }

    /** libpq URI with the password in it: for the code under test only, never for logs. */
    public String url(String db) {
        return "postgresql://" + SUPERUSER + ":" + password + "@" + host() + ":" + port + "/" + db;
    }

    /** JDBC URL without credentials (pass them as properties, see {@link #connect}). */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + db;
    }

    public Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "archon-test-harness");
        return DriverManager.getConnection(jdbcUrl(db), p);
    }

    /** CREATE DATABASE name TEMPLATE template (template1 when null). */
    public void createDatabase(String db, String template) {
        String sql = "CREATE DATABASE " + ident(db) + " TEMPLATE " + ident(template == null ? "template1" : template);
        // FILE_COPY copies the files instead of WAL-logging every block: much faster for big templates.
        if (majorVersion >= 15) sql += " STRATEGY = FILE_COPY";
        exec("postgres", sql);
    }

    /** Drops the database, terminating its connections first. */
    public void dropDatabase(String db) {
        exec("postgres", "DROP DATABASE IF EXISTS " + ident(db) + " WITH (FORCE)");
    }

    /** Runs one statement in autocommit mode on the given database. */
    public void exec(String db, String sql) {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("[" + name + "/" + db + "] " + sql + ": " + e.getMessage(), e);
        }
    }

    public synchronized void stop() {
        if (!running || !owner) return;
        running = false;
        run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"), true);
    }

    /**
     * A fault for a test: {@code pg_ctl stop -m fast} now, also on a handle attached from another class loader
     * (which {@link #stop()} leaves alone); the test starts it again with {@link #startAgain()}.
     */
    public synchronized void stopFast() {
        if (!running) return;
        running = false;
        run(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"), true);
    }

    /** Starts a cluster {@link #stopFast()} or {@link #stop()} stopped, on the same port and data (a server restart). */
    public synchronized void startAgain() {
        if (running) return;
        pgCtlStart();
        running = true;
    }

    public boolean running() {
        return running;
    }

    /** Stops the cluster and deletes its directory. */
    @Override
    public void close() {
        if (!owner) return;
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("[pg-cluster " + name + "] stop failed: " + e.getMessage());
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            System.err.println("[pg-cluster " + name + "] cannot delete " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PgCluster[" + name + " PG" + majorVersion + " 127.0.0.1:" + port + " " + dir + "]";
    }

    static String ident(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    // ------------------------------------------------------------------ helpers

    private String bin(String tool) {
        return binDir.resolve(tool).toString();
    }

    /** Runs a command (as the postgres OS user when we are root and asked to), fails on exit != 0. */
    private static void run(List<String> cmd, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres && ROOT) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(cmd);
        try {
            Path out = Files.createTempFile("pg-cluster", ".out");
            try {
                Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out: " + String.join(" ", full));
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + String.join(" ", full)
                            + "\n" + Files.readString(out));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + full + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + full, e);
        }
    }

    /** Stops and removes clusters whose JVM (the pid in the directory name) is gone. */
    private static void reapStale(Path root, Path binDir) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                String n = d.getFileName().toString();
                int dash = n.lastIndexOf('-');
                if (dash < 0) continue;
                long pid;
                try {
                    pid = Long.parseLong(n.substring(dash + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent()) continue;
                Path data = d.resolve("data");
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    try {
                        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", data.toString(),
                                "-m", "immediate", "-w", "stop"), true);
                    } catch (RuntimeException e) {
                        // not running any more: the pid file is stale
                    }
                }
                try {
                    deleteTree(d);
                } catch (IOException e) {
                    System.err.println("[pg-cluster] cannot remove stale " + d + ": " + e.getMessage());
                }
            }
        }
    }

    private static void makeTraversable(Path dir) throws IOException {
        for (Path p = dir.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }

    private static String randomPassword() {
        String chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < 24; i++) b.append(chars.charAt(r.nextInt(chars.length())));
        return b.toString();
    }

    private static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
