package dev.archon.sync.backup;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a backup holds, written next to its archive ({@code <id>.json}): the exact row counts and
 * sequence values of the snapshot pg_dump read, so a restore can verify it got all of it back.
 *
 * @param database    which side it was taken of: "local" or "remote"
 * @param endpoint    host:port/database (no credentials)
 * @param dumpMajor   major version of the pg_dump that wrote it (a restore needs pg_restore ≥ this)
 */
public record BackupManifest(String id, String database, String endpoint, Instant createdAt, String syncId,
        String direction, int serverVersion, int dumpMajor, long sizeBytes, Map<String, Long> tables,
        List<Sequence> sequences) {

    /** An owned sequence's value in the backup's snapshot. */
    public record Sequence(String table, String column, long lastValue, boolean isCalled) {
    }

    public long totalRows() {
        return tables.values().stream().mapToLong(Long::longValue).sum();
    }
}
