package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.forced;
import static dev.archon.sync.engine.EngineHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.DbChecksum;
import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.StallingProxy;
import dev.archon.sync.testing.TestClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 8, point 2: faults injected at a known moment of a real sync (a phase listener runs on the
 * sync's own thread, so "when the phase starts" is exact, not a race), in both directions. Each case
 * asserts the target is checksum-identical to before, the outcome says what happened without a secret
 * or a Java exception name, no work files remain, and the next sync works.
 * Tagged "faults": {@code ./mvnw test -Pfaults} (scripts/test.sh runs it with the default suite: -Pall).
 */
@Tag("faults")
class FaultMatrixTest {
    private static final Pattern JAVA_NAMES = Pattern.compile("[a-z]+\\.[a-z]+\\.[A-Za-z.]*(Exception|Error)|[A-Z][A-Za-z]+Exception");
    private static final Path WORK = Path.of(System.getProperty("user.dir"), "target", "sync-work");
    private final EngineHarness h = new EngineHarness();

    enum Fault {
        SOURCE_KILLED_MID_READ(Phase.IMPORTING, true),
        TARGET_KILLED_MID_LOAD(Phase.IMPORTING, false),
        TARGET_KILLED_MID_INDEX(Phase.INDEXING, false),
        TARGET_KILLED_MID_VERIFY(Phase.VERIFYING, false);

        final Phase phase;
        final boolean source;

        Fault(Phase phase, boolean source) {
            this.phase = phase;
            this.source = source;
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void backendTerminatedInAPhaseLeavesTheTargetAsItWasAndTheNextSyncWorks(Fault fault) {
        for (Direction d : Direction.values()) {
            h.reset("tpl_small", "tpl_big");
            PgCluster source = d == Direction.LOCAL_TO_REMOTE ? h.local() : h.remote();
            PgCluster target = d == Direction.LOCAL_TO_REMOTE ? h.remote() : h.local();
            String sourceDb = d == Direction.LOCAL_TO_REMOTE ? LOCAL_DB : REMOTE_DB;
            String targetDb = d == Direction.LOCAL_TO_REMOTE ? REMOTE_DB : LOCAL_DB;
            DbChecksum targetBefore = DbChecksum.of(target, targetDb);
            DbChecksum sourceBefore = DbChecksum.of(source, sourceDb);

            SyncJob job = new SyncJob(forced(d));
            AtomicBoolean fired = new AtomicBoolean();
            job.subscribe(ev -> {
                if (ev.phase() == fault.phase && fired.compareAndSet(false, true)) {
                    String role = fault.source ? "source" : "target";
                    PgCluster c = fault.source ? source : target;
                    c.exec("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE "
                            + "'archon-db-sync " + role + " %'");
                }
            });
            h.engine().start(job);
            EngineHarness.awaitEnd(job);
            String what = fault + " " + d.wire() + ": " + job.snapshot();
            assertTrue(fired.get(), what);
            assertEquals(SyncStatus.FAILED, job.status(), what);
            String error = job.snapshot().error();
            System.out.println("[fault-matrix] " + fault + " " + d.wire() + " → " + error);
            assertTrue(error.contains(fault.phase.wire()), "names the phase: " + error);
            assertTrue(error.contains("the " + (fault.source ? "source" : "target") + " server"), "names the side: " + error);
            assertFalse(error.contains(source.password()) || error.contains(target.password()), error);
            assertFalse(JAVA_NAMES.matcher(error).find(), "no Java exception names: " + error);
            assertEquals(targetBefore, DbChecksum.of(target, targetDb), "target untouched: " + what);
            assertEquals(sourceBefore, DbChecksum.of(source, sourceDb), "source untouched: " + what);
            assertNoWorkFiles(job);

            SyncJob next = run(h.engine(), forced(d));
            assertEquals(SyncStatus.COMPLETED, next.status(), () -> "the next sync works: " + next.snapshot());
            assertEquals(DbChecksum.of(source, sourceDb).only(TABLE_NAMES), DbChecksum.of(target, targetDb).only(TABLE_NAMES));
        }
    }

    /** Where the network is cut: which side, and at which moment. */
    enum Cut {
        TARGET_MID_LOAD(Phase.IMPORTING, false, false),
        SOURCE_MID_READ(Phase.IMPORTING, true, false),
        /** Inside the pre-sync backup's read of the target (its table files being written). */
        TARGET_MID_BACKUP(Phase.BACKING_UP, false, true);

        final Phase phase;
        final boolean source;
        final boolean backup;

        Cut(Phase phase, boolean source, boolean backup) {
            this.phase = phase;
            this.source = source;
            this.backup = backup;
        }
    }

    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(3);

    /**
     * The network to one side is cut (a proxy that stops forwarding and reading; sockets stay open, new
     * connections are accepted and never answered) mid-load, mid-read, or mid-backup: the stall
     * watchdog ends the sync as failed, naming the side and the time; once the network is back (the proxy
     * closed) the server rolls back, both databases are as before, and the next sync works.
     */
    @ParameterizedTest
    @EnumSource(Cut.class)
    void aCutNetworkFailsTheSyncInsteadOfHangingAndTheNextSyncWorks(Cut cut) throws Exception {
        for (Direction d : Direction.values()) {
            Side side = resetForFault(d);
            PgCluster cutCluster = cut.source ? side.source : side.target;
            Path backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "stall-backups-");
            SyncJob job;
            long cutAt;
            try (StallingProxy proxy = StallingProxy.to(cutCluster)) {
                String localUrl = d == Direction.LOCAL_TO_REMOTE && cut.source || d == Direction.REMOTE_TO_LOCAL && !cut.source
                        ? proxy.url(h.local(), LOCAL_DB) : h.local().url(LOCAL_DB);
                String remoteUrl = d == Direction.REMOTE_TO_LOCAL && cut.source || d == Direction.LOCAL_TO_REMOTE && !cut.source
                        ? proxy.url(h.remote(), REMOTE_DB) : h.remote().url(REMOTE_DB);
                SyncEngine engine = new SyncEngine(h.settings(localUrl, remoteUrl, PgClientTools.discover("auto"), backups,
                        SyncSettings.FreeSpace.FILESYSTEM).withStallTimeout(STALL_TIMEOUT), Executors.newSingleThreadExecutor());
                job = new SyncJob(SyncRequest.sync(d, Trigger.MANUAL).force(true).backup(cut.backup).build());
                job.subscribe(ev -> {
                    if (cut.backup && ev.phase() == Phase.BACKING_UP && ev.message() != null && ev.message().contains("(table 1/")) {
                        proxy.stall(); // the backup's snapshot is reading its first table: it waits for the target from now on
                    } else if (!cut.backup && ev.phase() == Phase.IMPORTING && ev.rowsSynced() > 0) {
                        proxy.stall(); // rows have moved: the load is under way
                    }
                });
                engine.start(job);
                awaitEndOrHang(job);
                cutAt = proxy.stalledAtNanos();
                String what = cut + " " + d.wire() + ": " + job.snapshot();
                assertTrue(proxy.stalled(), "the network was cut: " + what);
                double seconds = (System.nanoTime() - cutAt) / 1e9;
                String error = job.snapshot().error();
                System.out.printf("[fault-matrix] network cut %s %s: failed %.1f s after the cut (stall timeout %d s): %s%n",
                        cut, d.wire(), seconds, STALL_TIMEOUT.toSeconds(), error);
                assertEquals(SyncStatus.FAILED, job.status(), what);
                assertTrue(error.contains("failed while " + cut.phase.wire()), "names the phase: " + error);
                assertTrue(error.contains("the " + (cut.source ? "source" : "target") + " server"), "names the side: " + error);
                assertTrue(error.contains("has not answered for"), "says what happened: " + error);
                assertSaysNoSecretAndNoJavaName(error);
                assertEquals(List.of(), toolChildren(), "the tool children were killed");
            }
            // the network is back: the server notices the sessions are gone and rolls back
            awaitNoSyncSessions(side.target, side.targetDb, job);
            awaitNoSyncSessions(side.source, side.sourceDb, job);
            side.assertAsBefore(job);
            try (Stream<Path> left = Files.list(backups)) {
                assertEquals(List.of(), left.toList(), "no backup or partial file from the failed sync");
            }
            side.assertNextSyncWorks(h, d);
        }
    }

    /** The target server is stopped (fast shutdown) mid-load and started again. */
    @Test
    void targetServerStoppedMidLoadAndStartedAgain() throws Exception {
        for (Direction d : Direction.values()) {
            Side side = resetForFault(d);
            SyncJob job = new SyncJob(forced(d));
            AtomicBoolean stopped = new AtomicBoolean();
            job.subscribe(ev -> {
                if (ev.phase() == Phase.IMPORTING && ev.rowsSynced() > 0 && stopped.compareAndSet(false, true)) {
                    side.target.stopFast(); // pg_ctl stop -m fast -w: the sync's backend is terminated, the server is down
                }
            });
            try {
                h.engine().start(job);
                awaitEndOrHang(job);
            } finally {
                side.target.startAgain();
            }
            String error = job.snapshot().error();
            System.out.println("[fault-matrix] target server stopped mid-load " + d.wire() + " → " + error);
            assertTrue(stopped.get(), "the server was stopped");
            assertEquals(SyncStatus.FAILED, job.status(), () -> job.snapshot().toString());
            assertTrue(error.contains("failed while importing"), error);
            assertTrue(error.contains("the target server"), "names the side: " + error);
            assertSaysNoSecretAndNoJavaName(error);
            side.assertAsBefore(job);
            side.assertNextSyncWorks(h, d);
        }
    }

    /** Both ends of one fault case, as they were before it. */
    private record Side(PgCluster source, String sourceDb, DbChecksum sourceBefore, PgCluster target, String targetDb,
            DbChecksum targetBefore) {
        void assertAsBefore(SyncJob job) {
            assertEquals(targetBefore, DbChecksum.of(target, targetDb), "target untouched: " + job.snapshot());
            assertEquals(sourceBefore, DbChecksum.of(source, sourceDb), "source untouched: " + job.snapshot());
            assertNoWorkFiles(job);
        }

        void assertNextSyncWorks(EngineHarness h, Direction d) {
            SyncJob next = run(h.engine(), forced(d));
            assertEquals(SyncStatus.COMPLETED, next.status(), () -> "the next sync works: " + next.snapshot());
            assertEquals(DbChecksum.of(source, sourceDb).only(TABLE_NAMES), DbChecksum.of(target, targetDb).only(TABLE_NAMES));
        }
    }

    /** Small data on both sides (generated with different seeds, so every table is reloaded): keeps CI short. */
    private Side resetForFault(Direction d) {
        h.reset("tpl_small", "tpl_small");
        PgCluster source = d == Direction.LOCAL_TO_REMOTE ? h.local() : h.remote();
        PgCluster target = d == Direction.LOCAL_TO_REMOTE ? h.remote() : h.local();
        String sourceDb = d == Direction.LOCAL_TO_REMOTE ? LOCAL_DB : REMOTE_DB;
        String targetDb = d == Direction.LOCAL_TO_REMOTE ? REMOTE_DB : LOCAL_DB;
        // a fresh copy of the template: its checksum is the template's (computed once per run)
        return new Side(source, sourceDb, h.clusters.templateChecksum(source, "tpl_small"), target, targetDb,
                h.clusters.templateChecksum(target, "tpl_small"));
    }

    /** Waits for the end; a sync still running long after its stall timeout has hung (the bug this guards against). */
    private static void awaitEndOrHang(SyncJob job) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        job.subscribe(e -> {
            if (e.status().isFinal()) {
                done.countDown();
            }
        });
        if (!job.status().isFinal() && !done.await(2, TimeUnit.MINUTES)) {
            throw new AssertionError("the sync hangs: " + job.snapshot());
        }
    }

    /** The server has ended every session of the sync (so their locks and transactions are gone). */
    private static void awaitNoSyncSessions(PgCluster c, String db, SyncJob job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String left = "";
        while (System.nanoTime() < deadline) {
            try (var conn = c.connect("postgres"); var st = conn.createStatement(); var rs = st.executeQuery(
                    "SELECT string_agg(application_name || ' ' || state, ', ') FROM pg_stat_activity WHERE datname = '" + db
                            + "' AND application_name LIKE 'archon-db-sync %" + job.id() + "'")) {
                rs.next();
                left = rs.getString(1);
                if (left == null) {
                    return;
                }
            } catch (java.sql.SQLException e) {
                left = e.getMessage();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the server still has the sync's sessions: " + left);
    }

    /** pg_dump / pg_restore children of this JVM still running. */
    private static List<String> toolChildren() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().command().orElse("?")).filter(c -> c.contains("pg_dump") || c.contains("pg_restore")).toList();
    }

    private static void assertSaysNoSecretAndNoJavaName(String error) {
        TestClusters clusters = TestClusters.get();
        assertFalse(error.contains(clusters.local().password()) || error.contains(clusters.remote().password()), error);
        assertFalse(JAVA_NAMES.matcher(error).find(), "no Java exception names: " + error);
    }

    /** Cases a user's configuration produces: a refusal in plain words, no secret, no Java class names. */
    @Test
    void unreachableOrMisconfiguredTargetsAreRefusedInPlainWords() throws Exception {
        h.reset("tpl_small", "tpl_small");
        PgCluster remote = h.remote();
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String pw = remote.password();
        List<String[]> cases = List.of(
                new String[] {"wrong password", "postgresql://postgres:Wrong-Pa55word@127.0.0.1:" + remote.port() + "/" + REMOTE_DB,
                        "target_unreachable", "password"},
                new String[] {"nothing listens", "postgresql://postgres:" + pw + "@127.0.0.1:" + closed + "/" + REMOTE_DB
                        + "?connect_timeout=5", "target_unreachable", "refused"},
                new String[] {"unresolvable name", "postgresql://postgres:" + pw + "@no-such-host.invalid:5432/" + REMOTE_DB
                        + "?connect_timeout=5", "target_unreachable", "does not resolve"},
                new String[] {"transaction pooler", "postgresql://postgres:" + pw + "@127.0.0.1:6543/" + REMOTE_DB,
                        "transaction_pooler", "6543"},
                new String[] {"TLS required, not offered", "postgresql://postgres:" + pw + "@127.0.0.1:" + remote.port() + "/"
                        + REMOTE_DB + "?sslmode=require", "target_unreachable", "SSL"},
                new String[] {"no such database", "postgresql://postgres:" + pw + "@127.0.0.1:" + remote.port() + "/nope",
                        "target_unreachable", "nope"});
        DbChecksum local = h.localSum();
        List<String> outcomes = new ArrayList<>();
        for (String[] c : cases) {
            SyncEngine engine = new SyncEngine(h.settings(h.local().url(LOCAL_DB), c[1], PgClientTools.discover("auto")),
                    Executors.newSingleThreadExecutor());
            SyncJob job = run(engine, forced(Direction.LOCAL_TO_REMOTE));
            ProgressEvent end = job.snapshot();
            String said = String.valueOf(end.error()) + " " + end.refusals();
            outcomes.add(c[0] + " → " + end.status().wire() + ": " + said);
            assertEquals(SyncStatus.REFUSED, end.status(), c[0] + ": " + said);
            assertTrue(end.refusals().stream().anyMatch(r -> r.code().equals(c[2])), c[0] + ": " + said);
            assertTrue(said.contains(c[3]), c[0] + " should mention '" + c[3] + "': " + said);
            assertFalse(said.contains(pw) || said.contains("Wrong-Pa55word"), c[0] + " leaks the password: " + said);
            assertFalse(JAVA_NAMES.matcher(said).find(), c[0] + " names a Java exception: " + said);
        }
        assertEquals(local, h.localSum());
        outcomes.forEach(o -> System.out.println("[fault-matrix] " + o));
    }

    /** Two engines (two service instances) told to sync the same pair at the same moment: exactly one runs. */
    @Test
    void twoInstancesAtOnceExactlyOneRuns() throws Exception {
        h.reset("tpl_small", "tpl_big");
        SyncEngine a = h.engine();
        SyncEngine b = h.engine();
        CountDownLatch go = new CountDownLatch(1);
        List<SyncJob> jobs = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> conflicts = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (SyncEngine e : List.of(a, b)) {
            Thread t = new Thread(() -> {
                SyncJob j = new SyncJob(forced(Direction.LOCAL_TO_REMOTE));
                jobs.add(j);
                try {
                    go.await();
                    e.start(j);
                } catch (SyncConflictException c) {
                    conflicts.add(c);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        jobs.forEach(EngineHarness::awaitEnd);
        long completed = jobs.stream().filter(j -> j.status() == SyncStatus.COMPLETED).count();
        assertEquals(1, completed, jobs.stream().map(j -> j.snapshot().toString()).toList().toString());
        assertEquals(1, conflicts.size(), "the other one was told another sync holds the databases");
        conflicts.forEach(c -> assertFalse(JAVA_NAMES.matcher(String.valueOf(c.getMessage())).find(), "no Java exception names: " + c));
        jobs.stream().map(j -> j.snapshot().error()).filter(e -> e != null)
                .forEach(e -> assertFalse(JAVA_NAMES.matcher(e).find(), "no Java exception names: " + e));
        assertEquals(h.localSum().only(TABLE_NAMES), h.remoteSum().only(TABLE_NAMES));
    }

    /** The sync's sessions on the remote with this application name, and whether each is encrypted. */
    private static List<String> sslOfSyncSessions(PgCluster remote, String applicationName) {
        List<String> out = new ArrayList<>();
        try (var c = remote.connect("postgres"); var ps = c.prepareStatement(
                "SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
                        + "WHERE a.datname = ? AND a.application_name LIKE ?")) {
            ps.setString(1, REMOTE_DB);
            ps.setString(2, applicationName);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " ssl=" + rs.getBoolean(2));
                }
            }
        } catch (java.sql.SQLException e) {
            out.add("error " + e.getMessage());
        }
        return out;
    }

    /** The start of a job's id: enough to name its sessions, and within the 63 bytes PostgreSQL keeps of a name. */
    private static String jobIdStart(SyncJob job) {
        return job.id().substring(0, 8);
    }

    /**
     * Supabase Cloud takes TLS only: a remote with TLS on and a test CA, sslmode=verify-full. Every
     * connection of a sync with backup — the engine's JDBC sessions (pg_stat_ssl, read during the load), the
     * backup's snapshot session (pg_stat_ssl, read while it writes its first table file), every connection in
     * the server's log — is encrypted; a CA that did not sign the server's certificate is refused without the
     * password.
     */
    @Test
    void verifyFullTlsEncryptsEveryConnectionAndAForeignCaIsRefused() throws Exception {
        h.reset("tpl_small", "tpl_small");
        PgCluster remote = h.remote();
        Path tls = Files.createDirectories(remote.directory().resolve("tls"));
        openssl(tls, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=archon-test-ca");
        openssl(tls, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other-ca.crt", "-days", "2",
                "-subj", "/CN=someone-else");
        openssl(tls, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        Files.writeString(tls.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        openssl(tls, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.crt", "-days", "2", "-extfile", "san.ext");
        shell(List.of("chmod", "600", tls.resolve("server.key").toString()));
        if (((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0) {
            shell(List.of("chown", "-R", "postgres:postgres", tls.toString())); // the clusters run as postgres then
        }
        remote.exec("postgres", "ALTER SYSTEM SET ssl_cert_file = '" + tls.resolve("server.crt") + "'");
        remote.exec("postgres", "ALTER SYSTEM SET ssl_key_file = '" + tls.resolve("server.key") + "'");
        remote.exec("postgres", "ALTER SYSTEM SET ssl = on");
        remote.exec("postgres", "ALTER SYSTEM SET log_connections = on");
        remote.exec("postgres", "SELECT pg_reload_conf()");
        try {
            Path log = remote.directory().resolve("server.log");
            long logStart = Files.size(log);
            String url = remote.url(REMOTE_DB) + "?sslmode=verify-full&sslrootcert=" + tls.resolve("ca.crt");
            Path backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "tls-backups-");
            SyncEngine engine = new SyncEngine(h.settings(h.local().url(LOCAL_DB), url, PgClientTools.discover("auto"), backups,
                    SyncSettings.FreeSpace.FILESYSTEM), Executors.newSingleThreadExecutor());
            SyncJob job = new SyncJob(SyncRequest.sync(Direction.LOCAL_TO_REMOTE, Trigger.MANUAL).force(true).backup(true).build());
            List<String> sessions = java.util.Collections.synchronizedList(new ArrayList<>());
            List<String> backupSessions = java.util.Collections.synchronizedList(new ArrayList<>());
            job.subscribe(ev -> {
                if (ev.phase() == Phase.INDEXING && sessions.isEmpty()) {
                    // this job's sessions only (a service started by an earlier test in this JVM keeps its own pool);
                    // by the job id's start, as PostgreSQL cuts an application_name at 63 bytes
                    sessions.addAll(sslOfSyncSessions(remote, "archon-db-sync %" + jobIdStart(job) + "%"));
                } else if (ev.phase() == Phase.BACKING_UP && ev.message() != null && ev.message().contains("(table 1/")
                        && backupSessions.isEmpty()) {
                    backupSessions.addAll(sslOfSyncSessions(remote, "archon-db-sync backup snapshot " + jobIdStart(job) + "%"));
                }
            });
            engine.start(job);
            EngineHarness.awaitEnd(job);
            assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
            assertFalse(sessions.isEmpty(), "the sync's sessions were seen");
            assertTrue(sessions.stream().allMatch(x -> x.endsWith("ssl=true")), sessions.toString());
            String connections = Files.readString(log).substring((int) logStart);
            List<String> authorized = connections.lines().filter(l -> l.contains("connection authorized") && l.contains(REMOTE_DB)).toList();
            assertEquals(1, backupSessions.size(), "the backup's snapshot session was seen while it read: " + backupSessions);
            assertTrue(backupSessions.get(0).endsWith("ssl=true"), backupSessions.toString());
            assertTrue(authorized.stream().allMatch(l -> l.contains("SSL enabled")), "every connection encrypted: " + authorized);
            System.out.println("[fault-matrix] verify-full: " + sessions + ", backup " + backupSessions + "; " + authorized.size()
                    + " connections logged, all SSL");
            assertEquals(h.localSum().only(TABLE_NAMES), h.remoteSum().only(TABLE_NAMES));

            String foreign = remote.url(REMOTE_DB) + "?sslmode=verify-full&sslrootcert=" + tls.resolve("other-ca.crt");
            DbChecksum before = h.remoteSum();
            SyncJob refused = run(new SyncEngine(h.settings(h.local().url(LOCAL_DB), foreign, PgClientTools.discover("auto")),
                    Executors.newSingleThreadExecutor()), forced(Direction.LOCAL_TO_REMOTE));
            String said = refused.snapshot().error() + " " + refused.snapshot().refusals();
            System.out.println("[fault-matrix] untrusted CA → " + refused.status().wire() + ": " + said);
            assertEquals(SyncStatus.REFUSED, refused.status(), said);
            assertFalse(said.contains(remote.password()), said);
            assertTrue(said.contains("not signed by the CA"), said);
            assertFalse(JAVA_NAMES.matcher(said).find(), "no Java exception names: " + said);
            assertEquals(before, h.remoteSum());
        } finally {
            remote.exec("postgres", "ALTER SYSTEM RESET ssl");
            remote.exec("postgres", "ALTER SYSTEM RESET ssl_cert_file");
            remote.exec("postgres", "ALTER SYSTEM RESET ssl_key_file");
            remote.exec("postgres", "ALTER SYSTEM RESET log_connections");
            remote.exec("postgres", "SELECT pg_reload_conf()");
        }
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
    }

    private static void shell(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }

    private static void assertNoWorkFiles(SyncJob job) {
        Path dir = WORK.resolve("sync-" + job.id());
        assertFalse(Files.exists(dir), "work files left: " + dir);
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            List<String> passfiles = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("archon-pgpass-")
                    && n.contains("-" + ProcessHandle.current().pid() + "-")).toList();
            assertEquals(List.of(), passfiles, "no passfile outlives its tool");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
