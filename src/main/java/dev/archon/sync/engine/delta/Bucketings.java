package dev.archon.sync.engine.delta;

import dev.archon.sync.pg.Sql;
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
 * fingerprinted: a side which has to read such a table reads it by its buckets ({@link #read}) and composes its
 * fingerprint from them, so one read gives both the fingerprint and what a delta compares — and with the last sync's
 * memory of the buckets ({@link BucketMemory}) only the buckets whose row versions moved are read: a crawl costs
 * a scan of row versions and a few dozen buckets per side instead of the whole table. Only tables with a primary
 * key and, by the planner's estimate, at least {@value DeltaChoice#MIN_ROWS} rows: the others reload.
 */
public final class Bucketings {
    /** None: every fingerprint read as it is, any bucket pass on its own (a full replace, a fresh target). */
    public static final Bucketings NONE = new Bucketings(Map.of());

    private final Map<TableName, BucketDigests> byTable;

    private Bucketings(Map<TableName, BucketDigests> byTable) {
        this.byTable = byTable;
    }

    /**
     * A table read by its buckets: its fingerprint's row count and (composed) digest, its bucket digests, and how many
     * of them were digested (the rest were remembered: {@link BucketMemory}), and the rows of those read row by row
     * (the buckets whose row versions moved: {@link BucketDigests#bucketsSince}).
     */
    public record Read(long rows, String digest, Map<Long, BucketDigests.Bucket> buckets, int digested, BucketRows rowsRead) {
    }

    /**
     * From the source (in its snapshot): each table's key, and buckets sized for its estimated rows — or the bucketing
     * the last sync remembered its buckets under ({@code remembered}: table → {@link BucketDigests#id}), while it still
     * fits (within 4× of the width chosen now), so that its memory ({@link BucketMemory}) can be used.
     */
    public static Bucketings choose(Connection source, List<TableName> tables, Map<TableName, String> remembered) throws SQLException {
        Map<TableName, BucketDigests> out = new HashMap<>();
        Map<TableName, Long> estimates = estimatedRows(source, tables);
        for (TableName t : tables) {
            long estimate = estimates.getOrDefault(t, -1L);
            if (estimate < DeltaChoice.MIN_ROWS) {
                continue;
            }
            Optional<PrimaryKey> key = PrimaryKey.of(source, t);
            if (key.isPresent()) {
                BucketDigests chosen = BucketDigests.choose(source, key.get(), estimate);
                out.put(t, BucketDigests.parse(key.get(), remembered.get(t)).filter(r -> r.fitsLike(chosen)).orElse(chosen));
            }
        }
        return new Bucketings(out);
    }

    /** Each bucketed table's bucketing, by its {@link BucketDigests#id}. */
    public Map<TableName, String> ids() {
        Map<TableName, String> out = new HashMap<>();
        byTable.forEach((t, b) -> out.put(t, b.id()));
        return out;
    }

    /** Whether the table is bucketed: a row delta could be written for it. */
    public boolean covers(TableName t) {
        return byTable.containsKey(t);
    }

    public Optional<BucketDigests> of(TableName t) {
        return Optional.ofNullable(byTable.get(t));
    }

    /**
     * The table's bucket digests on this side, and its fingerprint composed from them
     * ({@link BucketDigests#composedDigest}); with the last sync's memory of this side ({@code last}, may be null),
     * only the buckets whose row versions moved are digested ({@link BucketDigests#bucketsSince}). Empty when the
     * table has no bucketing, or this side's primary key is not the one it was chosen for (then the fingerprint is
     * read as usual and no delta is written). In the caller's transaction.
     */
    public Optional<Read> read(Connection c, TableName t, BucketMemory.OneSide last) throws SQLException {
        BucketDigests bucketing = byTable.get(t);
        if (bucketing == null) {
            return Optional.empty();
        }
        Optional<PrimaryKey> key = PrimaryKey.of(c, t);
        if (key.isEmpty() || !key.get().columns().equals(bucketing.key().columns())) {
            return Optional.empty();
        }
        BucketDigests.Since since;
        if (last == null) {
            Map<Long, BucketDigests.Bucket> all = bucketing.buckets(c);
            since = new BucketDigests.Since(all, all.size(), BucketRows.none());
        } else {
            since = bucketing.bucketsSince(c, last);
        }
        Map<Long, BucketDigests.Bucket> buckets = since.buckets();
        return Optional.of(new Read(buckets.values().stream().mapToLong(BucketDigests.Bucket::rows).sum(),
                bucketing.composedDigest(buckets), buckets, since.digested(), since.rows()));
    }

    /**
     * pg_class.reltuples, kept by ANALYZE and VACUUM, in one round trip: this runs before every sync's fingerprints
     * that read a table, and a cloud database is tens of milliseconds away. A table never analyzed (-1: just
     * restored or created, autovacuum not yet there) is counted: it is about to be read anyway.
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
        for (Map.Entry<TableName, Long> e : out.entrySet()) {
            if (e.getValue() < 0) {
                e.setValue(Sql.queryLong(c, "SELECT count(*) FROM " + e.getKey().sql()));
            }
        }
        return out;
    }
}
