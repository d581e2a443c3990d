package dev.archon.sync.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Content checksum of a database's {@code archon_*} tables ({@code rowcount:md5}, independent of row
 * and column order) and of its public sequences ({@code last_value:is_called}), computed by
 * {@code fixture/checksum.sql}. Compare two with {@link #equals} and print {@link #diff} on failure.
 */
public record DbChecksum(SortedMap<String, String> tables, SortedMap<String, String> sequences) {

    /** The settings that fix the text form of rows (see fixture/checksum.sql). */
    private static final String[][] PINNED = {
        {"TimeZone", "UTC"}, {"DateStyle", "ISO, YMD"}, {"extra_float_digits", "1"},
        {"IntervalStyle", "postgres"}, {"row_security", "off"}};

    public DbChecksum {
        tables = Collections.unmodifiableSortedMap(new TreeMap<>(tables));
        sequences = Collections.unmodifiableSortedMap(new TreeMap<>(sequences));
    }

    /**
     * Checksums through the given connection. In autocommit mode it runs in its own REPEATABLE READ
     * READ ONLY transaction (one snapshot for all tables); inside a caller's transaction it uses that
     * one. Either way the session settings are set transaction-locally and the caller's are restored.
     */
    public static DbChecksum of(Connection c) throws SQLException {
        boolean own = c.getAutoCommit();
        if (own) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
        }
        String[] saved = new String[PINNED.length];
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < PINNED.length; i++) {
                try (ResultSet rs = st.executeQuery("SELECT current_setting('" + PINNED[i][0] + "')")) {
                    rs.next();
                    saved[i] = rs.getString(1);
                }
                st.execute("SELECT set_config('" + PINNED[i][0] + "', '" + PINNED[i][1] + "', true)");
            }
            SortedMap<String, String> tables = new TreeMap<>();
            SortedMap<String, String> sequences = new TreeMap<>();
            List<String[]> queries = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(ArchonFixture.sql("checksum.sql"))) {
                while (rs.next()) {
                    queries.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            for (String[] q : queries) {
                try (ResultSet rs = st.executeQuery(q[2])) {
                    rs.next();
                    ("table".equals(q[0]) ? tables : sequences).put(q[1], rs.getString(1));
                }
            }
            if (!own) {
                for (int i = 0; i < PINNED.length; i++) {
                    st.execute("SELECT set_config('" + PINNED[i][0] + "', '" + saved[i].replace("'", "''") + "', true)");
                }
            }
            return new DbChecksum(tables, sequences);
        } finally {
            if (own) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** Checksums a database of a test cluster (unchecked, for test convenience). */
    public static DbChecksum of(PgCluster cluster, String db) {
        try (Connection c = cluster.connect(db)) {
            return of(c);
        } catch (SQLException e) {
            throw new IllegalStateException("checksum of " + cluster.name() + "/" + db + ": " + e.getMessage(), e);
        }
    }

    /** The same checksum restricted to the given tables (sequences kept). */
    public DbChecksum only(Collection<String> tableNames) {
        SortedMap<String, String> t = new TreeMap<>(tables);
        t.keySet().retainAll(Set.copyOf(tableNames));
        return new DbChecksum(t, sequences);
    }

    /** The same checksum without the given tables. */
    public DbChecksum without(Collection<String> tableNames) {
        SortedMap<String, String> t = new TreeMap<>(tables);
        t.keySet().removeAll(Set.copyOf(tableNames));
        return new DbChecksum(t, sequences);
    }

    /** Row count of a table, from its checksum. */
    public long rows(String table) {
        String v = tables.get(table);
        if (v == null) throw new IllegalArgumentException("no table " + table);
        return Long.parseLong(v.substring(0, v.indexOf(':')));
    }

    /** Human-readable differences ("" when equal), for assertion messages. */
    public String diff(DbChecksum other) {
        StringBuilder b = new StringBuilder();
        diff(b, "table", tables, other.tables);
        diff(b, "sequence", sequences, other.sequences);
        return b.toString();
    }

    private static void diff(StringBuilder b, String kind, SortedMap<String, String> a, SortedMap<String, String> o) {
        Set<String> names = new TreeSet<>(a.keySet());
        names.addAll(o.keySet());
        for (String n : names) {
            String x = a.get(n);
            String y = o.get(n);
            if (x == null ? y != null : !x.equals(y)) {
                b.append(String.format("%-8s %-34s %s  vs  %s%n", kind, n, x, y));
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("DbChecksum\n");
        tables.forEach((k, v) -> b.append(String.format("  table    %-34s %s%n", k, v)));
        sequences.forEach((k, v) -> b.append(String.format("  sequence %-34s %s%n", k, v)));
        return b.toString();
    }
}
