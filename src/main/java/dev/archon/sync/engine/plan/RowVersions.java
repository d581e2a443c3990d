package dev.archon.sync.engine.plan;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which row versions each table holds, as one value: the table's file, its row count and a SHA-256 over its
 * live rows' {@code (ctid, xmin)} pairs — on the source also the server's identity and the start of its
 * postmaster, because the record lives on the target: a physical copy of the source started elsewhere, or
 * a point-in-time restore, could reuse transaction ids and so row versions for other contents, and each
 * must have been (re)started to do so (a restart only costs one content fingerprint). On the target the
 * record lives in the same database as the rows: whatever copies or restores one copies or restores both. Any INSERT, UPDATE or DELETE changes
 * it (a new row version has a new place and transaction id); VACUUM and freezing do not (both keep ctid
 * and the raw xmin). VACUUM FULL, CLUSTER, or a dump and restore change it without changing the contents:
 * then only time is lost, because equal row versions are only ever used to skip a content fingerprint
 * ({@link TableFingerprint}) that the last sync recorded for exactly these versions. Reading it scans the
 * table's heap only, never its TOASTed values (the embeddings): a fraction of a content fingerprint.
 */
public final class RowVersions {
    private RowVersions() {
    }

    /** The source's, in the sync's snapshot; each table in one statement. */
    static Map<TableName, String> onSource(Connection c, List<TableName> tables) throws SQLException {
        return of(c, tables, Sql.queryString(c, "SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' "
                + "|| pg_postmaster_start_time()::text || '/' || oid || '/' FROM pg_database WHERE datname = current_database()"));
    }

    /** The target's, in the caller's transaction; each table in one statement (one snapshot). */
    public static Map<TableName, String> onTarget(Connection c, List<TableName> tables) throws SQLException {
        return of(c, tables, "");
    }

    private static Map<TableName, String> of(Connection c, List<TableName> tables, String database) throws SQLException {
        Map<TableName, String> out = new LinkedHashMap<>();
        for (TableName t : tables) {
            out.put(t, database + Sql.queryString(c, "SELECT pg_relation_filenode(?::regclass)::text || '/' || count(*) || '/' "
                    + "|| coalesce(encode(sha256(convert_to(string_agg(ctid::text || ':' || xmin::text, ',' ORDER BY ctid), 'UTF8')), "
                    + "'hex'), '') FROM " + t.sql(), t.sql()));
        }
        return out;
    }
}
