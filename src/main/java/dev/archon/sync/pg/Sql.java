package dev.archon.sync.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Small JDBC helpers: identifier quoting, statements built by the server, one-value queries.
 * Text from a catalog (comments, names) never becomes a SQL literal by Java string escaping: how a
 * backslash reads depends on the session's standard_conforming_strings, which only the server knows.
 */
public final class Sql {
    private Sql() {
    }

    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * Runs a utility statement (one that takes no bind parameters, such as COMMENT or SET) whose
     * literals and identifiers the server itself quotes: {@code format} with {@code %L} / {@code %I}
     * (and {@code %s} for already-quoted names) over bind parameters.
     */
    public static void execFormatted(Connection c, String format, String... args) throws SQLException {
        StringBuilder q = new StringBuilder("SELECT format(?");
        for (int i = 0; i < args.length; i++) {
            q.append(", ?::text");
        }
        q.append(')');
        String statement;
        try (PreparedStatement ps = c.prepareStatement(q.toString())) {
            ps.setString(1, format);
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 2, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                statement = rs.getString(1);
            }
        }
        exec(c, statement);
    }

    public static String identList(Collection<String> names) {
        return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
    }

    public static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    public static long queryLong(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public static String queryString(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
