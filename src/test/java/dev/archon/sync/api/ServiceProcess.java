package dev.archon.sync.api;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a separate process, the way it is
 * deployed: its own environment (both URLs, API key, work and backup directories under {@code home}), a
 * free HTTP port, and a JDWP port so a {@link JvmDebugger} can hold one of its threads. Restartable:
 * {@link #kill9()} then {@link #start()} again, with the same settings.
 */
final class ServiceProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("user.dir"), "target", "quarkus-app", "quarkus-run.jar");
    static final String KEY = "process-test-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration START_BOUND = Duration.ofSeconds(120);
    /** Per test JVM, for the jar as packaged now. */
    private static final Path CLASS_ARCHIVE = Path.of(System.getProperty("user.dir"), "target", "service-process-"
            + ProcessHandle.current().pid() + ".jsa");
    private static boolean archiveTried;

    private final Path home;
    private final Map<String, String> env;
    private Process process;
    private int httpPort;
    private int debugPort;
    private int starts;

    ServiceProcess(Path home, String localUrl, String remoteUrl) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            fail("the packaged service " + JAR + " is missing: run ./mvnw package first (scripts/test.sh packages it "
                    + "before the tests)");
        }
        this.home = Files.createDirectories(home);
        this.env = Map.of("ARCHON_SYNC_LOCAL_URL", localUrl, "ARCHON_SYNC_REMOTE_URL", remoteUrl, "ARCHON_SYNC_API_KEY", KEY,
                "ARCHON_SYNC_WORK_DIR", workDir().toString(), "ARCHON_SYNC_BACKUP_DIR", backupDir().toString(),
                "QUARKUS_HTTP_HOST", "127.0.0.1");
    }

    Path workDir() {
        return home.resolve("work");
    }

    Path backupDir() {
        return home.resolve("backups");
    }

    Path log() {
        return home.resolve("service-" + starts + ".log");
    }

    long pid() {
        return process.pid();
    }

    int debugPort() {
        return debugPort;
    }

    /** Starts the JVM and waits (bounded) until it answers HTTP. */
    void start() throws IOException, InterruptedException {
        launch();
        awaitReady();
    }

    /**
     * Starts the JVM without waiting, so a test can check the databases while it boots. The first start
     * of a test run writes a class-data archive of the service (a clean start and stop, without the
     * debugger agent, which CDS dumping refuses); every start after that maps it, which roughly halves
     * the time a restart takes on a loaded machine.
     */
    void launch() throws IOException, InterruptedException {
        if (!Files.exists(CLASS_ARCHIVE) && !archiveTried) {
            archiveTried = true;
            Process dump = process(List.of("-XX:ArchiveClassesAtExit=" + CLASS_ARCHIVE), freePort(), home.resolve("class-archive.log"));
            process = dump;
            awaitReady();
            dump.destroy(); // SIGTERM: the archive is written as the JVM exits
            if (!dump.waitFor(60, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
            }
            CLASS_ARCHIVE.toFile().deleteOnExit(); // 30 MB, for this test JVM only
        }
        debugPort = freePort();
        starts++;
        List<String> options = new ArrayList<>(List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debugPort));
        if (Files.exists(CLASS_ARCHIVE)) {
            options.add("-XX:SharedArchiveFile=" + CLASS_ARCHIVE);
        }
        process = process(options, freePort(), log());
    }

    private Process process(List<String> options, int port, Path output) throws IOException {
        httpPort = port;
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-Xmx256m"));
        cmd.addAll(options);
        cmd.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ARCHON_SYNC_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(env);
        pb.environment().put("PORT", String.valueOf(port));
        return pb.start();
    }

    /** Waits (bounded) until the started JVM answers HTTP. */
    void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the service exited at start (" + process.exitValue() + "): " + Files.readString(log()));
            }
            try {
                if (get("/q/health/live").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("the service did not answer within " + START_BOUND + ": " + Files.readString(log()));
    }

    /** SIGKILL: no shutdown hook, no finally block, no rollback from our side. */
    void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("the service survived SIGKILL");
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(postRequest(path, json), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String json) {
        return HTTP.sendAsync(postRequest(path, json), HttpResponse.BodyHandlers.ofString());
    }

    String url(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    private HttpRequest postRequest(String path, String json) {
        return request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(120)).header("X-API-Key", KEY);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
