package dev.archon.sync.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup directory: one custom-format archive and one manifest per backup, named with time,
 * direction and database; the newest {@code keep} per database are kept.
 */
public final class BackupStore {
    private static final Pattern ID = Pattern.compile("^[0-9]{8}T[0-9]{6}Z_[a-z-]+_(local|remote)_[A-Za-z0-9_.-]+$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final int keep;

    public BackupStore(Path dir, int keep) {
        this.dir = dir;
        this.keep = Math.max(1, keep);
    }

    public Path directory() {
        return dir;
    }

    /** e.g. {@code 20261125T190102Z_local-to-remote_remote_postgres_1a2b3c4d} (the sync's id ends it: unique). */
    public static String newId(Instant at, String direction, String database, String dbName, String syncId) {
        return STAMP.format(at) + "_" + direction + "_" + database + "_" + dbName.replaceAll("[^A-Za-z0-9_.-]", "_")
                + "_" + syncId.substring(0, Math.min(8, syncId.length()));
    }

    public Path archive(String id) {
        return dir.resolve(id + ".dump");
    }

    private Path manifest(String id) {
        return dir.resolve(id + ".json");
    }

    /** Writes the manifest last: a backup without one (interrupted) is never listed or restored. */
    public void save(BackupManifest m) throws IOException {
        Path tmp = dir.resolve(m.id() + ".json.partial");
        JSON.writeValue(tmp.toFile(), m);
        move(tmp, manifest(m.id()));
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Newest first. */
    public List<BackupManifest> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<BackupManifest> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                String id = p.getFileName().toString().replaceFirst("\\.json$", "");
                if (ID.matcher(id).matches() && Files.exists(archive(id))) {
                    out.add(JSON.readValue(p.toFile(), BackupManifest.class));
                }
            }
        }
        out.sort(Comparator.comparing(BackupManifest::createdAt).reversed().thenComparing(BackupManifest::id, Comparator.reverseOrder()));
        return out;
    }

    public Optional<BackupManifest> find(String id) throws IOException {
        if (id == null || !ID.matcher(id).matches()) { // also keeps ids from walking out of the directory
            return Optional.empty();
        }
        return list().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** Keeps the newest {@code keep} backups of this database (same side and endpoint); deletes the rest. */
    public List<String> prune(String database, String endpoint) throws IOException {
        List<String> removed = new ArrayList<>();
        int seen = 0;
        for (BackupManifest m : list()) {
            if (!m.database().equals(database) || !m.endpoint().equals(endpoint)) {
                continue;
            }
            if (++seen > keep) {
                Files.deleteIfExists(manifest(m.id()));
                Files.deleteIfExists(archive(m.id()));
                removed.add(m.id());
            }
        }
        return removed;
    }
}
