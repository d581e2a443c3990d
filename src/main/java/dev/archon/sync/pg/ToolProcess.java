package dev.archon.sync.pg;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs one PostgreSQL client tool as a child process. The connection reaches it only through its
 * environment (no URL or password in argv); stderr is drained on its own thread (a full pipe would
 * block the child) and kept, bounded and redacted, for the error message; a cancel ends the child
 * and all its descendants.
 */
public final class ToolProcess {
    private static final int STDERR_LIMIT = 64 * 1024;

    /** Lets the caller end the process from another thread (the sync's cancel). */
    @FunctionalInterface
    public interface Interrupts {
        AutoCloseable onInterrupt(Runnable interrupter);

        /**
         * True when the interrupt is because a server stopped answering: then the child is killed at once, since
         * on SIGTERM pg_dump first sends a cancel request to its server and would wait on that silent server too.
         */
        default boolean serverSilent() {
            return false;
        }
    }

    public record Result(int exitCode, byte[] stdout, String stderr) {
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private ToolProcess() {
    }

    /** A tool whose stdout the caller reads as it comes (pg_restore feeding a load). */
    public static final class Streaming implements AutoCloseable {
        private final Process process;
        private final Drain stderr;
        private final AutoCloseable registration;

        private Streaming(Process process, Drain stderr, AutoCloseable registration) {
            this.process = process;
            this.stderr = stderr;
            this.registration = registration;
        }

        public InputStream stdout() {
            return process.getInputStream();
        }

        /** Waits for the end; the exit code and the (redacted) stderr. */
        public Result finish() throws InterruptedException {
            int code = process.waitFor();
            return new Result(code, new byte[0], stderr.joined().redactedText());
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                kill(process);
            }
            try {
                registration.close();
            } catch (Exception ignored) {
                // unregistering cannot fail in a way that matters
            }
        }
    }

    public static Streaming stream(PgClient client, String tool, List<String> args, Interrupts interrupts) throws IOException {
        ChildEnvironment env = ChildEnvironment.of(null);
        Process process;
        try {
            process = builder(client, tool, args, env).start();
        } catch (IOException | RuntimeException e) {
            env.close();
            throw e;
        }
        Drain stderr = new Drain(process.getErrorStream(), STDERR_LIMIT, tool + "-stderr");
        AutoCloseable reg = interrupts == null ? () -> { } : interrupts.onInterrupt(() -> end(process, interrupts));
        return new Streaming(process, stderr, () -> {
            reg.close();
            env.close();
        });
    }

    /**
     * The child's command line and environment: built from nothing (never the service's own
     * ARCHON_SYNC_* variables, URLs or API key), with only PATH, locale, HOME and our connection's PG*
     * variables; the password reaches it through a 0600 passfile, not PGPASSWORD. The shell only sets
     * the umask and execs the tool (same process id, so a cancel still reaches it).
     */
    private static ProcessBuilder builder(PgClient client, String tool, List<String> args, ChildEnvironment childEnv) {
        // umask 077: whatever the tool writes (backups, schema dumps) is private to this user from the start
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\""));
        argv.add(client.tool(tool).toString());
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(childEnv.variables());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb;
    }

    /**
     * A short question to a tool that never connects ({@code pg_dump --version}): run from the minimal environment
     * like every child, its output read on its own threads, and killed — with anything it started — when it has
     * not finished within {@code timeout}. Empty when it timed out or could not start.
     */
    public static Optional<Result> ask(Path executable, List<String> args, Duration timeout) throws InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of(executable.toString()));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv);
        try (ChildEnvironment env = ChildEnvironment.of(null)) {
            pb.environment().clear();
            pb.environment().putAll(env.variables());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process process = pb.start();
            Drain out = new Drain(process.getInputStream(), STDERR_LIMIT, "probe-stdout");
            Drain err = new Drain(process.getErrorStream(), STDERR_LIMIT, "probe-stderr");
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    return Optional.empty();
                }
            } catch (InterruptedException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw e;
            }
            // a grandchild that kept the pipes open must not hold us either
            out.thread.join(1000);
            err.thread.join(1000);
            return Optional.of(new Result(process.exitValue(), out.bytes(), Redactor.redact(err.text())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param stdoutFile where stdout goes, or null to capture it in memory (small outputs only)
     */
    public static Result run(PgClient client, String tool, List<String> args, PgUri connection, Path stdoutFile,
            Interrupts interrupts) throws IOException, InterruptedException {
        try (ChildEnvironment env = ChildEnvironment.of(connection)) {
            return run(builder(client, tool, args, env), tool, stdoutFile, interrupts);
        }
    }

    private static Result run(ProcessBuilder pb, String tool, Path stdoutFile, Interrupts interrupts)
            throws IOException, InterruptedException {
        if (stdoutFile != null) {
            pb.redirectOutput(stdoutFile.toFile());
        }
        Process process = pb.start();
        Drain stderr = new Drain(process.getErrorStream(), STDERR_LIMIT, tool + "-stderr");
        Drain stdout = stdoutFile == null ? new Drain(process.getInputStream(), Integer.MAX_VALUE, tool + "-stdout") : null;
        try (AutoCloseable ignored = interrupts == null ? () -> { } : interrupts.onInterrupt(() -> end(process, interrupts))) {
            int code = process.waitFor();
            String err = stderr.joined().redactedText();
            return new Result(code, stdout == null ? new byte[0] : stdout.joined().bytes(), err);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        } catch (Exception e) {
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e);
        }
    }

    private static void end(Process process, Interrupts why) {
        if (why.serverSilent()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } else {
            kill(process);
        }
    }

    /** Ends the child and everything it started: TERM first, KILL after a grace period. */
    public static void kill(Process process) {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** One of the child's output streams, read on a thread of its own (a full pipe would block the child), bounded. */
    private static final class Drain {
        private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, int limit, String name) {
            thread = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (sink) {
                            int room = limit - sink.size();
                            if (room > 0) {
                                sink.write(buf, 0, Math.min(n, room));
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended or was killed; what was read is kept
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** After the stream has ended. */
        Drain joined() throws InterruptedException {
            thread.join();
            return this;
        }

        byte[] bytes() {
            synchronized (sink) {
                return sink.toByteArray();
            }
        }

        String text() {
            synchronized (sink) {
                return sink.toString(StandardCharsets.UTF_8);
            }
        }

        /** What a tool said on stderr, fit for a message: passwords and URLs redacted. */
        String redactedText() {
            return Redactor.redact(text().trim());
        }
    }
}
