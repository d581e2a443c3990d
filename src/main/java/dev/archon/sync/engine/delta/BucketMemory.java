package dev.archon.sync.engine.delta;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the last sync left in each bucket of a bucketed table ({@link BucketDigests}), kept on the target beside the
 * table's own record ({@code archon_sync_guard.last_sync}, whose {@code bucketing} column says which bucketing the
 * rows here are over; null: none kept): per bucket its row count and contents digest, and the row versions it held on
 * each side. The next sync then digests only the buckets whose row versions moved since — a crawl's few dozen —
 * instead of the whole table on both sides (the same argument as for the table's row versions, {@code RowVersions}:
 * equal versions are only ever used to skip a digest the last sync took of exactly those versions). Written in the
 * load transaction, so it commits with the rows or not at all; only the buckets that changed are written. It is read
 * only while its record names the same sync as it ({@code bucketing_sync_id}): a record rewritten by anything that
 * does not know the memory (an older version of this tool) retires it.
 */
public final class BucketMemory {
    static final String TABLE = "archon_sync_guard.last_sync_buckets";

    private BucketMemory() {
    }

    /** One bucket as the last sync left it: the same rows on both sides, each side's row versions. */
    public record Kept(long rows, String digest, String sourceVersions, String targetVersions) {
    }

    /**
     * One side's view of a table's memory.
     *
     * @param buckets   each bucket's rows and digest with this side's row versions
     * @param untouched the table's row versions on this side are those the last sync recorded: nothing moved
     */
    public record OneSide(Map<Long, BucketDigests.Bucket> buckets, boolean untouched) {
        static OneSide of(Map<Long, Kept> kept, boolean source, boolean untouched) {
            Map<Long, BucketDigests.Bucket> out = new HashMap<>();
            kept.forEach((b, k) -> out.put(b, new BucketDigests.Bucket(k.rows(), k.digest(),
                    source ? k.sourceVersions() : k.targetVersions())));
            return new OneSide(out, untouched);
        }
    }

    /**
     * A table's memory.
     *
     * @param bucketing the bucketing's {@link BucketDigests#id}
     */
    public record Remembered(String bucketing, Map<Long, Kept> buckets) {
        public OneSide onSource(boolean untouched) {
            return OneSide.of(buckets, true, untouched);
        }

        public OneSide onTarget(boolean untouched) {
            return OneSide.of(buckets, false, untouched);
        }
    }

    /**
     * The memory of {@code tables} whose recorded bucketing is the one given ({@code bucketings}: table → its
     * {@link BucketDigests#id}); a table with another one, or none, is absent. In the caller's transaction.
     */
    public static Map<TableName, Remembered> read(Connection target, Map<TableName, String> bucketings) throws SQLException {
        Map<TableName, Remembered> out = new HashMap<>();
        if (bucketings.isEmpty() || Sql.queryString(target, "SELECT coalesce(to_regclass(?)::text, '')", TABLE).isEmpty()) {
            return out;
        }
        Map<String, TableName> byName = new HashMap<>();
        bucketings.keySet().forEach(t -> byName.put(t.toString(), t));
        try (PreparedStatement ps = target.prepareStatement("SELECT b.table_name, l.bucketing, b.bucket, b.row_count, b.digest, "
                + "b.source_versions, b.target_versions FROM " + TABLE + " b JOIN archon_sync_guard.last_sync l USING (table_name) "
                + "WHERE b.table_name = ANY(?) AND l.bucketing IS NOT NULL AND l.bucketing_sync_id = l.sync_id")) {
            ps.setArray(1, target.createArrayOf("text", byName.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableName t = byName.get(rs.getString(1));
                    if (t != null && rs.getString(2).equals(bucketings.get(t))) {
                        out.computeIfAbsent(t, k -> new Remembered(bucketings.get(k), new HashMap<>())).buckets().put(rs.getLong(3),
                                new Kept(rs.getLong(4), rs.getString(5), rs.getString(6), rs.getString(7)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * What this sync leaves in a table, to remember: the source's buckets (rows, digest, versions) with the target's
     * row versions per bucket once the sync's writes are in; empty when the two do not name the same buckets (then
     * nothing is remembered for it).
     */
    public static java.util.Optional<Map<Long, Kept>> after(Map<Long, BucketDigests.Bucket> source, Map<Long, String> targetVersions) {
        if (!source.keySet().equals(targetVersions.keySet())) {
            return java.util.Optional.empty();
        }
        Map<Long, Kept> out = new HashMap<>();
        source.forEach((b, s) -> out.put(b, new Kept(s.rows(), s.digest(), s.versions(), targetVersions.get(b))));
        return java.util.Optional.of(out);
    }

    /** Its table, in the last sync's schema (which the caller has created). */
    public static void create(Connection c) throws SQLException {
        Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + TABLE + " (table_name text NOT NULL, bucket bigint NOT NULL, "
                + "row_count bigint NOT NULL, digest text NOT NULL, source_versions text NOT NULL, target_versions text NOT NULL, "
                + "PRIMARY KEY (table_name, bucket))");
    }

    /**
     * Replaces a table's memory with {@code now}, writing only the buckets that differ from {@code before} (the memory
     * preflight read under the same bucketing; null: none, every bucket is written).
     */
    public static void write(Connection c, TableName t, Map<Long, Kept> now, Map<Long, Kept> before) throws SQLException {
        if (before == null) {
            forget(c, List.of(t));
        }
        Map<Long, Kept> was = before == null ? Map.of() : before;
        Set<Long> gone = new HashSet<>(was.keySet());
        gone.removeAll(now.keySet());
        if (!gone.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE table_name = ? AND bucket = ANY(?)")) {
                ps.setString(1, t.toString());
                ps.setArray(2, c.createArrayOf("bigint", gone.toArray()));
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (table_name, bucket, row_count, digest, "
                + "source_versions, target_versions) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (table_name, bucket) DO UPDATE SET "
                + "row_count = excluded.row_count, digest = excluded.digest, source_versions = excluded.source_versions, "
                + "target_versions = excluded.target_versions")) {
            int batched = 0;
            for (Map.Entry<Long, Kept> e : now.entrySet()) {
                if (Objects.equals(was.get(e.getKey()), e.getValue())) {
                    continue;
                }
                ps.setString(1, t.toString());
                ps.setLong(2, e.getKey());
                ps.setLong(3, e.getValue().rows());
                ps.setString(4, e.getValue().digest());
                ps.setString(5, e.getValue().sourceVersions());
                ps.setString(6, e.getValue().targetVersions());
                ps.addBatch();
                if (++batched % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /** Nothing remembered for these tables any more (their record names no bucketing). */
    public static void forget(Connection c, Collection<TableName> tables) throws SQLException {
        if (tables.isEmpty() || Sql.queryString(c, "SELECT coalesce(to_regclass(?)::text, '')", TABLE).isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE table_name = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", tables.stream().map(TableName::toString).toArray()));
            ps.executeUpdate();
        }
    }
}
