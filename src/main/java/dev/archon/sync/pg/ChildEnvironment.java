package dev.archon.sync.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole environment of one pg tool child, and the passfile that carries its password (owned by
 * this object from creation to {@link #close()}, which deletes it). Nothing is inherited but PATH,
 * locale, time zone, HOME (libpq's ~/.postgresql certificates) and TMPDIR: never the service's
 * ARCHON_SYNC_* variables, which hold both URLs and the API key.
 */
final class ChildEnvironment implements AutoCloseable {
    private static final List<String> INHERITED = List.of("PATH", "HOME", "TMPDIR", "TZ", "LANG", "LANGUAGE", "LC_ALL",
            "LC_CTYPE", "LC_MESSAGES", "LC_COLLATE", "LC_NUMERIC", "LC_TIME", "LC_MONETARY");
    private static final String PREFIX = "archon-pgpass-";

    static {
        removeStalePassfiles();
    }

    private final Map<String, String> variables;
    private final Path passfile;

    private ChildEnvironment(Map<String, String> variables, Path passfile) {
        this.variables = variables;
        this.passfile = passfile;
    }

    /** @param connection the database the child connects to, or null for a tool that never connects */
    static ChildEnvironment of(PgUri connection) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : INHERITED) {
            String v = System.getenv(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        Path passfile = null;
        if (connection != null) {
            Map<String, String> pg = new LinkedHashMap<>(connection.toolEnvironment());
            String password = pg.remove("PGPASSWORD");
            env.putAll(pg);
            if (password != null) {
                passfile = writePassfile(password);
                env.put("PGPASSFILE", passfile.toString());
            }
        }
        return new ChildEnvironment(Map.copyOf(env), passfile);
    }

    Map<String, String> variables() {
        return variables;
    }

    /** A 0600 file in the temp directory, created with those permissions (never readable by others, not even briefly). */
    private static Path writePassfile(String password) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        Path f = Files.createTempFile(dir, PREFIX + ProcessHandle.current().pid() + "-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        // hostname:port:database:username:password, each field with ':' and '\' escaped
        String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
        Files.writeString(f, "*:*:*:*:" + escaped + "\n");
        return f;
    }

    @Override
    public void close() {
        if (passfile != null) {
            try {
                Files.deleteIfExists(passfile);
            } catch (IOException e) {
                passfile.toFile().deleteOnExit();
            }
        }
    }

    /** Passfiles of a service process that was killed before it could delete them. */
    private static void removeStalePassfiles() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
                String rest = f.getFileName().toString().substring(PREFIX.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(f);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not ours, or already gone
                }
            }
        } catch (IOException | SecurityException ignored) {
            // an unreadable temp directory: nothing of ours can be in it either
        }
    }
}
