package dev.archon.sync.pg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How a pre-sync backup is compressed, which depends on the client: pg_dump 16+ built with zstd writes
 * {@code --compress=zstd:1}, measured at a third of an uncompressed archive's size for about the same time
 * (README, "Backups"); a 15 client knows only gzip, measured several times slower than the dump itself for
 * vector-heavy tables, so it writes {@code --compress=0}. Any pg_restore of the writer's major version or
 * newer (built with the same library, as Debian's and this project's are) reads the archive back.
 */
public final class DumpCompression {
    /** The method pg_dump 16+ is asked for, best first (measured: zstd:1 smaller and no slower than lz4 here). */
    static final List<String> METHODS = List.of("zstd:1", "lz4");
    private static final Map<String, Boolean> SUPPORTED = new ConcurrentHashMap<>();

    /** @param option the pg_dump argument, e.g. {@code --compress=zstd:1} */
    public record Choice(PgClient client, String option) {
        public String method() {
            return option.substring("--compress=".length());
        }
    }

    private DumpCompression() {
    }

    /** The client and compression for a backup of a server of this major version. */
    public static Optional<Choice> forBackup(PgClientTools clients, int serverMajor) {
        for (PgClient c : clients.all()) {
            if (c.major() >= Math.max(16, serverMajor)) {
                for (String method : METHODS) {
                    if (supports(c, method)) {
                        return Optional.of(new Choice(c, "--compress=" + method));
                    }
                }
            }
        }
        return clients.forDump(serverMajor).map(c -> new Choice(c, "--compress=0"));
    }

    /**
     * pg_dump checks its compression option before it connects: asked to dump from a socket directory that
     * does not exist, a build without the library says so, a build with it fails only to connect.
     */
    static boolean supports(PgClient client, String method) {
        return SUPPORTED.computeIfAbsent(client.binDir() + " " + method, k -> {
            try {
                Process p = new ProcessBuilder(client.tool("pg_dump").toString(), "--format=custom", "--schema-only",
                        "--compress=" + method, "--file=/dev/null", "--dbname=host=/nonexistent/archon-db-sync port=1 connect_timeout=1")
                        .redirectErrorStream(true).start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
                return out.contains("connection to server") || out.contains("could not connect"); // got past the option
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }
}
