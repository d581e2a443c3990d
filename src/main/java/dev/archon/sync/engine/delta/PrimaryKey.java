package dev.archon.sync.engine.delta;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A table's primary key, as a row delta names rows by it: its columns in key order, their SQL types, and
 * the SQL that reads a key as text (the same text on both sides under {@link TableFingerprint#PINNED}) and
 * finds rows by a list of keys.
 *
 * @param integer a single column of an integer type: rows are bucketed by key ranges ({@link BucketDigests})
 */
record PrimaryKey(TableName table, List<String> columns, List<String> types, boolean integer) {

    /** The table's primary key as this connection's catalog has it; empty when it has none. */
    static Optional<PrimaryKey> of(Connection c, TableName t) throws SQLException {
        List<String> columns = new ArrayList<>();
        List<String> types = new ArrayList<>();
        boolean integer = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                + "a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) FROM pg_index i "
                + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                + "WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
            ps.setString(1, t.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    types.add(rs.getString(2));
                    integer = rs.getBoolean(3);
                }
            }
        }
        return columns.isEmpty() ? Optional.empty() : Optional.of(new PrimaryKey(t, columns, types, columns.size() == 1 && integer));
    }

    /** The select list that reads the key, one text per column. */
    String textColumns(String alias) {
        return columns.stream().map(col -> alias + Sql.ident(col) + "::text").collect(Collectors.joining(", "));
    }

    /** The whole key as one text (what a hash bucket is taken of). */
    String asText() {
        return columns.size() == 1 ? Sql.ident(columns.get(0)) + "::text"
                : "row(" + Sql.identList(columns) + ")::text";
    }

    /**
     * "The key is one of these": {@code (k1, k2) IN (SELECT * FROM unnest(…))} over text arrays cast to the key's
     * types, each array an inline literal (COPY … TO STDOUT takes no parameters). Dollar-quoted, so no setting
     * (standard_conforming_strings) reinterprets it.
     */
    String inList(String alias, List<List<String>> keys) {
        String arrays = IntStream.range(0, columns.size()).mapToObj(i -> arrayLiteral(keys, i) + "::text[]::" + types.get(i) + "[]")
                .collect(Collectors.joining(", "));
        String cols = columns.stream().map(col -> alias + Sql.ident(col)).collect(Collectors.joining(", "));
        return "(" + cols + ") IN (SELECT * FROM unnest(" + arrays + "))";
    }

    private static String arrayLiteral(List<List<String>> keys, int column) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keys.size(); i++) {
            String v = keys.get(i).get(column);
            sb.append(i == 0 ? "" : ",").append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        String body = sb.append('}').toString();
        String tag = "$k$";
        for (int n = 0; body.contains(tag); n++) {
            tag = "$k" + n + "$";
        }
        return tag + body + tag;
    }
}
