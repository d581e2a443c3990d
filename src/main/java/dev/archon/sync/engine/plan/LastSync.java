package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.delta.BucketMemory;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the last sync left in each target table, kept in the target itself ({@value #TABLE}), written in the
 * load transaction so that it commits with the rows or not at all. The data-loss guard reads it: a table
 * still holding what the last sync left has nothing of its own to lose. Its own schema, so that it never
 * meets Archon's tables, the synced set, or the history's Flyway schema.
 */
public final class LastSync {
    static final String SCHEMA = "archon_sync_guard";
    static final String TABLE = SCHEMA + ".last_sync";

    private LastSync() {
    }

    /**
     * Whether the sync {@code syncId} committed on this target: its record is written in its load
     * transaction, so it is there exactly when the COMMIT went through (and no later sync replaced it).
     *
     * @return empty when the target keeps no record (no sync has written one, or the role could not)
     */
    public static java.util.Optional<Boolean> committed(Connection target, String syncId) throws SQLException {
        if (Sql.queryString(target, "SELECT coalesce(to_regclass(?)::text, '')", TABLE).isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Sql.queryLong(target, "SELECT count(*) FROM " + TABLE + " WHERE sync_id = ?::uuid", syncId) > 0);
    }

    /**
     * What the last sync left in one table: its fingerprint, and the row versions ({@link RowVersions}) the
     * source held in the sync's snapshot and the target held at COMMIT (null when recorded by an older version),
     * and the bucketing its buckets are remembered under ({@link BucketMemory}; null: none).
     */
    record Remembered(TableFingerprint fingerprint, String sourceVersions, String targetVersions, String bucketing) {
    }

    /**
     * What the load transaction remembers of a table's buckets ({@link BucketMemory}): {@code now} under
     * {@code bucketing}, written over {@code before} (the memory preflight read under the same bucketing; null: none).
     */
    public record Buckets(String bucketing, Map<Long, BucketMemory.Kept> now, Map<Long, BucketMemory.Kept> before) {
    }

    /** The fingerprints the last sync recorded on this target; empty before the first one. */
    public static Map<TableName, TableFingerprint> recorded(Connection target) throws SQLException {
        Map<TableName, TableFingerprint> out = new HashMap<>();
        remembered(target).forEach((t, r) -> out.put(t, r.fingerprint()));
        return out;
    }

    /** All the last sync recorded on this target; empty before the first one. */
    static Map<TableName, Remembered> remembered(Connection target) throws SQLException {
        Map<TableName, Remembered> out = new HashMap<>();
        if (Sql.queryString(target, "SELECT coalesce(to_regclass(?)::text, '')", TABLE).isEmpty()) {
            return out;
        }
        // to_jsonb: a table written before the version columns existed reads as nulls there
        try (PreparedStatement ps = target.prepareStatement("SELECT table_name, row_count, digest, sequences, "
                + "to_jsonb(l) ->> 'source_versions', to_jsonb(l) ->> 'target_versions', to_jsonb(l) ->> 'bucketing' FROM " + TABLE + " l");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(TableName.parse(rs.getString(1)), new Remembered(
                        new TableFingerprint(rs.getLong(2), rs.getString(3), rs.getString(4)), rs.getString(5), rs.getString(6),
                        rs.getString(7)));
            }
        }
        return out;
    }

    /**
     * In the load transaction, before COMMIT: the target's tables now hold these. A role that may not create
     * the schema loses only the memory (a warning), never the sync: a savepoint keeps the transaction.
     *
     * @param buckets     the tables whose buckets are remembered, and what of them
     * @param bucketsKept the tables whose bucket memory stays as it is (nothing moved in them); every other table's
     *                    is forgotten
     */
    public static void record(SyncContext ctx, Map<TableName, TableFingerprint> loaded, Map<TableName, String> sourceVersions,
            Map<TableName, String> targetVersions, Map<TableName, Buckets> buckets, Set<TableName> bucketsKept) throws SQLException {
        Connection c = ctx.targetConnection;
        Savepoint before = c.setSavepoint();
        try {
            Sql.exec(c, "CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + TABLE + " (table_name text PRIMARY KEY, row_count bigint NOT NULL, "
                    + "digest text NOT NULL, sequences text NOT NULL, sync_id uuid NOT NULL, recorded_at timestamptz NOT NULL)");
            Sql.exec(c, "ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS source_versions text, "
                    + "ADD COLUMN IF NOT EXISTS target_versions text, ADD COLUMN IF NOT EXISTS bucketing text, "
                    + "ADD COLUMN IF NOT EXISTS bucketing_sync_id uuid");
            BucketMemory.create(c);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " AS l (table_name, row_count, digest, sequences, "
                    + "sync_id, recorded_at, source_versions, target_versions, bucketing, bucketing_sync_id) "
                    + "VALUES (?, ?, ?, ?, ?::uuid, now(), ?, ?, ?, ?::uuid) "
                    + "ON CONFLICT (table_name) DO UPDATE SET row_count = excluded.row_count, digest = excluded.digest, "
                    + "sequences = excluded.sequences, sync_id = excluded.sync_id, recorded_at = excluded.recorded_at, "
                    + "source_versions = excluded.source_versions, target_versions = excluded.target_versions, "
                    + "bucketing = CASE WHEN ? THEN l.bucketing ELSE excluded.bucketing END, "
                    // the memory belongs to the record it was written (or kept) with: a record another program
                    // rewrote since (an older version of this tool) leaves it stale, and then it is not read
                    + "bucketing_sync_id = CASE WHEN ? THEN (CASE WHEN l.bucketing_sync_id = l.sync_id THEN excluded.sync_id END) "
                    + "ELSE excluded.bucketing_sync_id END")) {
                for (Map.Entry<TableName, TableFingerprint> e : loaded.entrySet()) {
                    Buckets b = buckets.get(e.getKey());
                    ps.setString(1, e.getKey().toString());
                    ps.setLong(2, e.getValue().rows());
                    ps.setString(3, e.getValue().digest());
                    ps.setString(4, e.getValue().sequences());
                    ps.setString(5, ctx.job.id());
                    ps.setString(6, sourceVersions.get(e.getKey()));
                    ps.setString(7, targetVersions.get(e.getKey()));
                    ps.setString(8, b == null ? null : b.bucketing());
                    ps.setString(9, b == null ? null : ctx.job.id());
                    ps.setBoolean(10, b == null && bucketsKept.contains(e.getKey()));
                    ps.setBoolean(11, b == null && bucketsKept.contains(e.getKey()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            for (Map.Entry<TableName, Buckets> e : buckets.entrySet()) {
                BucketMemory.write(c, e.getKey(), e.getValue().now(), e.getValue().before());
            }
            BucketMemory.forget(c, loaded.keySet().stream().filter(t -> !buckets.containsKey(t) && !bucketsKept.contains(t)).toList());
            c.releaseSavepoint(before);
        } catch (SQLException e) {
            c.rollback(before);
            ctx.job.warn("the data-loss guard cannot remember this sync on the target (" + e.getMessage()
                    + "): the next sync treats it as a first one");
        }
    }

    /** A restore puts back rows no sync left: forget what the last sync recorded for those tables. */
    public static void forget(SyncContext ctx, Collection<TableName> tables) throws SQLException {
        if (recorded(ctx.targetConnection).isEmpty()) {
            return;
        }
        try (PreparedStatement ps = ctx.targetConnection.prepareStatement("DELETE FROM " + TABLE + " WHERE table_name = ?")) {
            for (TableName t : tables) {
                ps.setString(1, t.toString());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        BucketMemory.forget(ctx.targetConnection, tables);
    }
}
