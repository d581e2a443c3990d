package dev.archon.sync.backup;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a backup holds, written next to its rows ({@code <id>.json}, last — a backup without one is never
 * listed): the exact row counts and sequence values of the snapshot it read, so a restore can verify it got
 * all of it back, and where the rows are.
 *
 * @param database    which side it was taken of: "local" or "remote"
 * @param endpoint    host:port/database (no credentials)
 * @param dumpMajor   {@link #PG_DUMP} backups: major version of the pg_dump that wrote it (a restore needs
 *                    pg_restore ≥ this); 0 for {@link #TABLE_FILES}
 * @param format      {@link #TABLE_FILES}, or {@link #PG_DUMP} (also when absent: manifests written before
 *                    table files existed)
 * @param files       {@link #TABLE_FILES} backups: one COPY file per table, in load order
 */
public record BackupManifest(String id, String database, String endpoint, Instant createdAt, String syncId,
        String direction, int serverVersion, int dumpMajor, long sizeBytes, Map<String, Long> tables,
        List<Sequence> sequences, String format, List<TableFile> files) {
    /** A directory {@code <id>.tables/} with one file per table in PostgreSQL's own COPY format. */
    public static final String TABLE_FILES = "table-files";
    /** One {@code <id>.dump}: a pg_dump custom-format archive (backups written before table files). */
    public static final String PG_DUMP = "pg_dump-custom";

    /** A pg_dump backup, as manifests before table files described them. */
    public BackupManifest(String id, String database, String endpoint, Instant createdAt, String syncId, String direction,
            int serverVersion, int dumpMajor, long sizeBytes, Map<String, Long> tables, List<Sequence> sequences) {
        this(id, database, endpoint, createdAt, syncId, direction, serverVersion, dumpMajor, sizeBytes, tables, sequences, PG_DUMP,
                null);
    }

    /** An owned sequence's value in the backup's snapshot. */
    public record Sequence(String table, String column, long lastValue, boolean isCalled) {
    }

    /**
     * One table's rows: {@code COPY table (columns) TO STDOUT (FORMAT copyFormat)}, byte for byte.
     *
     * @param copyFormat "binary" (every column's type has binary send/receive functions) or "text"
     */
    public record TableFile(String table, String file, List<String> columns, String copyFormat, long rows, long bytes) {
    }

    @JsonIgnore // derived from format, never written
    public boolean isTableFiles() {
        return TABLE_FILES.equals(format);
    }

    public long totalRows() {
        return tables.values().stream().mapToLong(Long::longValue).sum();
    }
}
