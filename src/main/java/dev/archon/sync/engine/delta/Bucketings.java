package dev.archon.sync.engine.delta;

import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bucketing of each table a row delta could be written for, chosen from the source before anything is
 * fingerprinted, so that a side which has to read a table's contents for its fingerprint gets the table's
 * bucket digests from the same read ({@link #read}): a crawl then costs one read of the big table per side
 * instead of two (the fingerprint, then the bucket pass). Only tables with a primary key and, by the
 * planner's estimate, at least {@value DeltaChoice#MIN_ROWS} rows: the others reload.
 */
public final class Bucketings {
    /** None: every fingerprint read as it is, any bucket pass on its own (a full replace, a fresh target). */
    public static final Bucketings NONE = new Bucketings(Map.of());

    private final Map<TableName, BucketDigests> byTable;

    private Bucketings(Map<TableName, BucketDigests> byTable) {
        this.byTable = byTable;
    }

    /** One read of a table: its fingerprint's row count and digest, and its bucket digests. */
    public record Read(long rows, String digest, Map<Long, BucketDigests.Bucket> buckets) {
    }

    /** From the source (in its snapshot): each table's key, and buckets sized for its estimated rows. */
    public static Bucketings choose(Connection source, List<TableName> tables) throws SQLException {
        Map<TableName, BucketDigests> out = new HashMap<>();
        Map<TableName, Long> estimates = estimatedRows(source, tables);
        for (TableName t : tables) {
            long estimate = estimates.getOrDefault(t, -1L);
            if (estimate < DeltaChoice.MIN_ROWS) {
                continue;
            }
            Optional<PrimaryKey> key = PrimaryKey.of(source, t);
            if (key.isPresent()) {
                out.put(t, BucketDigests.choose(source, key.get(), estimate));
            }
        }
        return new Bucketings(out);
    }

    /** Whether the table is bucketed: a row delta could be written for it. */
    public boolean covers(TableName t) {
        return byTable.containsKey(t);
    }

    Optional<BucketDigests> of(TableName t) {
        return Optional.ofNullable(byTable.get(t));
    }

    /**
     * The table's fingerprint digest and bucket digests in one statement, on this side; empty when the table has
     * no bucketing, or this side's primary key is not the one it was chosen for (then the fingerprint is read as
     * usual and no delta is written). In the caller's transaction.
     */
    public Optional<Read> read(Connection c, TableName t) throws SQLException {
        BucketDigests bucketing = byTable.get(t);
        if (bucketing == null) {
            return Optional.empty();
        }
        Optional<PrimaryKey> key = PrimaryKey.of(c, t);
        if (key.isEmpty() || !key.get().columns().equals(bucketing.key().columns())) {
            return Optional.empty();
        }
        return Optional.of(bucketing.withTableDigest(c));
    }

    /**
     * pg_class.reltuples, kept by ANALYZE and VACUUM (-1: never analyzed, counts as small), in one round trip: this
     * runs before every sync's fingerprints, and a cloud database is tens of milliseconds away.
     */
    private static Map<TableName, Long> estimatedRows(Connection c, List<TableName> tables) throws SQLException {
        Map<String, TableName> byName = new HashMap<>();
        tables.forEach(t -> byName.put(t.sql(), t));
        Map<TableName, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.name, c.reltuples::bigint FROM unnest(?::text[]) AS t(name) "
                + "JOIN pg_class c ON c.oid = t.name::regclass")) {
            ps.setArray(1, c.createArrayOf("text", byName.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(byName.get(rs.getString(1)), rs.getLong(2));
                }
            }
        }
        return out;
    }
}
