package dev.archon.sync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The versions of the history migrations the build ships, read from the source tree (not hard-coded in each test). */
public final class HistoryMigrations {
    private static final Path DIR = Path.of("src", "main", "resources", "db", "archon-sync");

    private HistoryMigrations() {
    }

    /** Versions in Flyway's order, e.g. ["1", "2", "10"]. */
    public static List<String> versions() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__"))).sorted(Comparator.comparingInt(Integer::parseInt)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
