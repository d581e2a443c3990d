package dev.archon.sync.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The client tool installations this machine has, and which one to use against a server.
 * pg_dump refuses a server newer than itself, and a newer pg_dump writes settings an older server
 * rejects, so the choice is made per server version instead of "whatever is on PATH".
 */
public final class PgClientTools {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");
    /** How long {@code pg_dump --version} may take before that installation is passed over. */
    static final java.time.Duration PROBE_TIMEOUT = java.time.Duration.ofSeconds(10);
    private final List<PgClient> clients;

    public PgClientTools(List<PgClient> clients) {
        List<PgClient> sorted = new ArrayList<>(clients);
        sorted.sort(Comparator.comparingInt(PgClient::major));
        this.clients = List.copyOf(sorted);
    }

    /**
     * @param pgBin "auto" (every /usr/lib/postgresql/N/bin, then the pg_dump on PATH) or a list of
     *              directories separated by ':'
     */
    public static PgClientTools discover(String pgBin) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (pgBin == null || pgBin.isBlank() || pgBin.equals("auto")) {
            Path root = Path.of("/usr/lib/postgresql");
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.list(root)) {
                    s.map(p -> p.resolve("bin")).filter(Files::isDirectory).forEach(dirs::add);
                } catch (IOException ignored) {
                    // an unreadable directory simply offers no clients
                }
            }
            String path = System.getenv("PATH");
            if (path != null) {
                for (String d : path.split(":")) {
                    if (!d.isEmpty() && Files.isExecutable(Path.of(d, "pg_dump"))) {
                        dirs.add(Path.of(d));
                    }
                }
            }
        } else {
            for (String d : pgBin.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d.trim()));
                }
            }
        }
        List<PgClient> found = new ArrayList<>();
        Set<Integer> majors = new LinkedHashSet<>();
        for (Path dir : dirs) {
            probe(dir).filter(c -> majors.add(c.major())).ifPresent(found::add);
        }
        return new PgClientTools(found);
    }

    static Optional<PgClient> probe(Path dir) {
        return probe(dir, PROBE_TIMEOUT);
    }

    static Optional<PgClient> probe(Path dir, java.time.Duration timeout) {
        Path dump = dir.resolve("pg_dump");
        if (!Files.isExecutable(dump) || !Files.isExecutable(dir.resolve("pg_restore"))) {
            return Optional.empty();
        }
        try {
            // like every child: the minimal environment (never the URLs or the key), and a timeout that fires
            Optional<ToolProcess.Result> r = ToolProcess.ask(dump, List.of("--version"), timeout);
            if (r.isEmpty() || r.get().exitCode() != 0) {
                return Optional.empty();
            }
            Path real = dir.toRealPath();
            return parseVersion(r.get().stdoutText()).map(v -> new PgClient(Integer.parseInt(v.split("\\.")[0]), v, real));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Optional<String> parseVersion(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2));
    }

    public List<PgClient> all() {
        return clients;
    }

    /** pg_dump must be at least the server's major version; the closest one writes the fewest surprises. */
    public Optional<PgClient> forDump(int serverMajor) {
        return clients.stream().filter(c -> c.major() >= serverMajor).findFirst();
    }

    /**
     * A restore reads an archive written by the client {@code dumpMajor} and talks to a server of
     * {@code serverMajor}: pg_restore must be able to read the archive (≥ dumpMajor).
     */
    public Optional<PgClient> forRestore(int dumpMajor, int serverMajor) {
        int need = Math.max(dumpMajor, serverMajor);
        return clients.stream().filter(c -> c.major() >= need).findFirst()
                .or(() -> clients.stream().filter(c -> c.major() >= dumpMajor).findFirst());
    }

    public String describe() {
        if (clients.isEmpty()) {
            return "no PostgreSQL client tools found";
        }
        return String.join(", ", clients.stream().map(c -> c.version() + " in " + c.binDir()).toList());
    }
}
