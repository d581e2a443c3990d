package dev.archon.sync.page;

import dev.archon.sync.api.ClustersResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The API tests' clusters, plus a long lock timeout: the browser test holds a lock on a target table
 * to keep a sync waiting in its load while it reloads the page or cancels, however slow the machine.
 */
public class BrowserClustersResource extends ClustersResource {
    static final String BACKUPS = "target/page-test-backups";
    @Override
    public Map<String, String> start() {
        deleteRecursively(Path.of(BACKUPS)); // the backups list the test sees is its own
        Map<String, String> config = new HashMap<>(super.start());
        config.put("archon.sync.load.lock-timeout", "10m");
        config.put("archon.sync.backup-dir", BACKUPS);
        return config;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
