package dev.archon.sync.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The backup directory: per backup a manifest ({@code <id>.json}) and its rows — a directory of table files
 * ({@code <id>.tables/}), or a pg_dump archive ({@code <id>.dump}) written before table files existed — named
 * with time, direction and database. Retention ({@link #prune}) runs after the sync's COMMIT and keeps the newest
 * {@code keep} restore points of completed syncs per database, newest by the service's own record (when it
 * wrote the manifest, not the date a manifest claims); a backup whose sync never committed carries a
 * {@code <id>.pending} marker and is kept until a newer completed one exists. Backups hold the user's
 * data: the directories are 0700 and every file in them 0600. A manifest that cannot be read, or that does
 * not describe the rows next to it, is skipped with a log line — it never fails a listing or a sync, and
 * nothing but what is named after a valid manifest's id is ever deleted.
 */
public final class BackupStore {
    /** A table file's name as a manifest may give it: no directory, nothing hidden. */
    private static final Pattern TABLE_FILE = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]*\\.copy$");
    private static final Pattern ID = Pattern.compile("^[0-9]{8}T[0-9]{6}Z_[a-z-]+_(local|remote)_[A-Za-z0-9_.-]+$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Logger LOG = Logger.getLogger(BackupStore.class);
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final int keep;
    /** Backups being read right now (a restore): retention leaves them alone. */
    private final Set<String> inUse = java.util.concurrent.ConcurrentHashMap.newKeySet();

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

    /** A pg_dump backup's archive. */
    public Path archive(String id) {
        return dir.resolve(id + ".dump");
    }

    /** A table-files backup's directory. */
    public Path tableFiles(String id) {
        return dir.resolve(id + ".tables");
    }

    /** Where a backup's rows are: its table-files directory or its archive. */
    public Path rowsOf(BackupManifest m) {
        return m.isTableFiles() ? tableFiles(m.id()) : archive(m.id());
    }

    /** A table file's name: the table's, when it is a plain name (Archon's are), else its position. */
    public static String tableFileName(int position, String table) {
        String name = table + ".copy";
        return TABLE_FILE.matcher(name).matches() ? name : String.format("table-%02d.copy", position);
    }

    /** Creates the directory (0700) a backup's table files are written into, named {@code <id>.tables.partial}. */
    public Path createPartialTableFiles(String id) throws IOException {
        secure();
        Path partial = dir.resolve(id + ".tables.partial");
        deleteTree(partial);
        return Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
    }

    /** Creates one table file (0600 from the start: it holds the user's rows). */
    public static Path createPrivateFile(Path file) throws IOException {
        return Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
    }

    /** Removes a file or a directory of table files (what a failed backup left, or a pruned one). */
    public static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path f : s.toList()) {
                    deleteTree(f);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    private Path manifest(String id) {
        return dir.resolve(id + ".json");
    }

    /** Writes the manifest last: a backup without one (interrupted) is never listed or restored. */
    public void save(BackupManifest m) throws IOException {
        secure();
        Path tmp = dir.resolve(m.id() + ".json.partial");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
            JSON.writeValue(tmp.toFile(), m);
            move(tmp, manifest(m.id()));
        } finally {
            Files.deleteIfExists(tmp); // gone after the move; what a failed write (a full disk) left otherwise
        }
    }

    /** The directory 0700 and its backup files 0600 (pg_dump's own umask may have been looser). */
    private void secure() throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        Files.setPosixFilePermissions(dir, PRIVATE_DIR);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> isOurs(f.getFileName().toString())).toList()) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PRIVATE_FILE);
                } else if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PRIVATE_DIR);
                }
            }
        }
    }

    private static boolean isOurs(String fileName) {
        return ID.matcher(fileName.replaceFirst("\\.(dump|json|tables|pending)(\\.partial)?$", "")).matches();
    }

    /**
     * Removes what an interrupted backup left (a killed service never renames its .partial files). Call
     * only when no sync runs anywhere, as start-up recovery does.
     */
    public List<String> removePartials() {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".partial") && isOurs(f.getFileName().toString())).toList()) {
                deleteTree(p);
                removed.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            LOG.warnf("could not clean partial backups in %s: %s", dir, e.getMessage());
        }
        return removed;
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Newest first; manifests that cannot be read or do not match their archive are skipped (and logged). */
    public List<BackupManifest> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<BackupManifest> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                String id = p.getFileName().toString().replaceFirst("\\.json$", "");
                if (!ID.matcher(id).matches() || !(Files.exists(archive(id)) || Files.isDirectory(tableFiles(id)))) {
                    continue;
                }
                read(p, id).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparing(BackupManifest::createdAt).reversed().thenComparing(BackupManifest::id, Comparator.reverseOrder()));
        return out;
    }

    private Optional<BackupManifest> read(Path file, String id) {
        BackupManifest m;
        try {
            m = JSON.readValue(file.toFile(), BackupManifest.class);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("skipping backup manifest %s: it cannot be read as a manifest (%s)", file.getFileName(),
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
        String problem = m == null ? "it is empty"
                : !id.equals(m.id()) ? "its id does not match its file name"
                : !"local".equals(m.database()) && !"remote".equals(m.database()) ? "its database is neither local nor remote"
                : m.createdAt() == null ? "it has no creation time"
                : m.endpoint() == null ? "it names no database endpoint"
                : m.tables() == null || m.tables().values().stream().anyMatch(v -> v == null || v < 0) ? "its row counts are missing"
                : m.sequences() == null || m.sequences().contains(null) ? "its sequences are missing"
                : m.sizeBytes() < 0 || m.dumpMajor() < 0 ? "its sizes are negative"
                : m.isTableFiles() ? tableFilesProblem(m)
                : m.format() != null && !BackupManifest.PG_DUMP.equals(m.format()) ? "its format '" + m.format() + "' is unknown"
                : !Files.isRegularFile(archive(id)) ? "its archive " + archive(id).getFileName() + " is missing"
                : null;
        if (problem != null) {
            LOG.warnf("skipping backup manifest %s: %s", file.getFileName(), problem);
            return Optional.empty();
        }
        return Optional.of(m);
    }

    /** Null when the manifest names exactly the table files next to it, one per table it counts rows of. */
    private String tableFilesProblem(BackupManifest m) {
        if (m.files() == null || m.files().contains(null)) {
            return "its table files are missing";
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (BackupManifest.TableFile f : m.files()) {
            if (f.file() == null || !TABLE_FILE.matcher(f.file()).matches() || !names.add(f.file())) {
                return "a table file's name is not a plain, unique *.copy name";
            }
            if (f.table() == null || !m.tables().containsKey(f.table()) || f.columns() == null || f.columns().isEmpty()
                    || f.columns().contains(null) || !("binary".equals(f.copyFormat()) || "text".equals(f.copyFormat()))) {
                return "the table file " + f.file() + " is not described completely";
            }
            if (!Files.isRegularFile(tableFiles(m.id()).resolve(f.file()), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return "its table file " + f.file() + " is missing";
            }
        }
        return m.files().size() == m.tables().size() ? null : "it does not have one table file per table";
    }

    public Optional<BackupManifest> find(String id) throws IOException {
        if (id == null || !ID.matcher(id).matches()) { // also keeps ids from walking out of the directory
            return Optional.empty();
        }
        return list().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** Keeps retention away from a backup until the returned handle is closed. */
    public AutoCloseable protect(String id) {
        inUse.add(id);
        return () -> inUse.remove(id);
    }

    private Path pendingMarker(String id) {
        return dir.resolve(id + ".pending");
    }

    /**
     * Marks a backup as taken by a sync that has not committed (yet): written before its manifest, so a backup
     * of a sync that then fails, is cancelled or is killed is never counted as a completed sync's restore point.
     */
    public void markPending(String id) throws IOException {
        secure();
        Files.deleteIfExists(pendingMarker(id));
        createPrivateFile(pendingMarker(id));
    }

    /** The sync that took this backup committed: from now on it is a completed sync's restore point. */
    public void markCompleted(String id) throws IOException {
        Files.deleteIfExists(pendingMarker(id));
    }

    /** Taken by a sync that never committed (failed, cancelled, killed). */
    public boolean isPending(String id) {
        return Files.exists(pendingMarker(id), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * After {@code justWritten}'s sync committed: keeps the newest {@code keep} completed restore points of this
     * database (same side and endpoint), {@code justWritten} always among them, and deletes the older ones, and
     * the backups of attempts that never committed which are older than it. "Newer" is when this service wrote
     * the manifest (its file time), never the date a manifest claims.
     */
    public List<String> prune(String database, String endpoint, String justWritten) throws IOException {
        List<BackupManifest> same = new ArrayList<>();
        for (BackupManifest m : list()) {
            if (m.database().equals(database) && m.endpoint().equals(endpoint)) {
                same.add(m);
            }
        }
        java.util.Map<String, java.nio.file.attribute.FileTime> written = new java.util.HashMap<>();
        for (BackupManifest m : same) {
            written.put(m.id(), Files.getLastModifiedTime(manifest(m.id()), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
        same.sort(Comparator.comparing((BackupManifest m) -> !m.id().equals(justWritten))
                .thenComparing(m -> written.get(m.id()), Comparator.reverseOrder())
                .thenComparing(BackupManifest::id, Comparator.reverseOrder()));
        java.nio.file.attribute.FileTime newest = written.get(justWritten);
        List<String> removed = new ArrayList<>();
        int completed = 0;
        for (BackupManifest m : same) {
            boolean pending = isPending(m.id());
            boolean drop = m.id().equals(justWritten) || inUse.contains(m.id()) ? false
                    : pending ? newest != null && written.get(m.id()).compareTo(newest) < 0
                    : completed >= keep;
            if (!pending) {
                completed++;
            }
            if (drop) {
                Files.deleteIfExists(manifest(m.id()));
                deleteTree(rowsOf(m));
                Files.deleteIfExists(pendingMarker(m.id()));
                removed.add(m.id());
            }
        }
        return removed;
    }
}
