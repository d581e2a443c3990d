package dev.archon.sync.engine.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The sync's own directory for temporary files: made on first use, removed with everything in it on close. */
public final class WorkDir implements AutoCloseable {
    private final Path dir;
    private boolean created;

    public WorkDir(Path dir) {
        this.dir = dir;
    }

    public synchronized Path path() throws IOException {
        if (!created) {
            Files.createDirectories(dir);
            created = true;
        }
        return dir;
    }

    @Override
    public synchronized void close() {
        if (!created || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // stale work dirs are removed at the next start-up
        }
    }
}
