package dev.archon.sync.engine.plan;

import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.CatalogModel.OwnedSequence;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a table holds, exactly, in 64 hex digits: SHA-256 over the SHA-256 of every row, the row digests
 * sorted (so it is the multiset of rows, equal exactly when the contents are, whatever order the rows were
 * written in, and needs no primary key), plus the row count and the state of the table's owned sequences.
 * The server computes it: only the digest crosses the network, never a row.
 *
 * A row's bytes are its columns in name order (the two sides may order them differently), generated
 * columns left out (the target computes them), each as its type's binary send form — exact and fast
 * (vectors are 3× bigger and slow as text) — or, for types whose binary form carries type OIDs that differ
 * between databases, its text form under pinned settings; each value by its own digest, NULL marked.
 *
 * @param digest    hex SHA-256 over the sorted row digests
 * @param sequences the owned sequences' states, "column=last_value/is_called" in column order
 */
public record TableFingerprint(long rows, String digest, String sequences) {

    /** The digest of a table whose rows were only counted (a full replace needs no more): equal to nothing. */
    static final String UNREAD = "";

    /** Whether the rows' digest was read; an unread one equals no fingerprint, not even itself. */
    public boolean contentsRead() {
        return !UNREAD.equals(digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableFingerprint f && contentsRead() && f.contentsRead() && rows == f.rows && digest.equals(f.digest)
                && sequences.equals(f.sequences);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(rows, digest, sequences);
    }

    /** Text output settings that make the text fallback the same on both sides (binary forms need none). */
    public static final List<String> PINNED = List.of("SET LOCAL DateStyle = 'ISO, YMD'", "SET LOCAL IntervalStyle = 'postgres'",
            "SET LOCAL TimeZone = 'UTC'", "SET LOCAL extra_float_digits = 3", "SET LOCAL bytea_output = 'hex'");

    /**
     * Planner settings under which a big table's row digests are computed by the server's parallel workers (its
     * leader too): the digests are the cost of a read (detoasting and hashing every value), and the digest query
     * is written so that they are computed below the Gather ({@link #digestedRows}). Tables under 1 MB stay serial.
     * Where no worker is free the leader does it all: the same result, only slower.
     */
    public static final List<String> PARALLEL_DIGESTS = List.of("SET LOCAL parallel_setup_cost = 0",
            "SET LOCAL parallel_tuple_cost = 0", "SET LOCAL min_parallel_table_scan_size = '1MB'");

    /** The pinned settings and the parallel digests, for a statement that reads digests (in a transaction). */
    public static void pinForDigests(Connection c) throws SQLException {
        for (String s : PINNED) {
            Sql.exec(c, s);
        }
        for (String s : PARALLEL_DIGESTS) {
            Sql.exec(c, s);
        }
    }

    /**
     * {@code WITH r AS MATERIALIZED (SELECT <columns> FROM table)}: the rows' digests as a CTE of their own. A
     * digest written straight into the aggregate is evaluated above the Gather, by the leader alone (the planner
     * moves only plain columns through it); a materialized CTE is planned as its own query, whose expressions
     * the workers evaluate (measured: 1.04 s → 0.49 s for 10,936 crawled pages, 2 workers on 2 cores).
     */
    public static String digestedRows(String columns, TableName t) {
        return digestedRows(columns, t, "");
    }

    /** The same over some rows only: {@code where} follows the table's name (a WHERE or a JOIN). */
    public static String digestedRows(String columns, TableName t, String where) {
        return "WITH r AS MATERIALIZED (SELECT " + columns + " FROM " + t.sql() + where + ") ";
    }

    /**
     * Fingerprints of {@code tables} as the connection sees them; it must be inside a transaction (the
     * settings are pinned with SET LOCAL, and every table is read in that one snapshot).
     */
    public static Map<TableName, TableFingerprint> of(Connection c, List<TableName> tables) throws SQLException {
        return of(c, tables, new HashMap<>());
    }

    /** The same, and how many seconds each table's statement took (for the plan and the benchmark). */
    public static Map<TableName, TableFingerprint> of(Connection c, List<TableName> tables, Map<TableName, Double> seconds)
            throws SQLException {
        return of(c, tables, seconds, Map.of());
    }

    /**
     * The same, taking the rows' digest from {@code known} where the caller knows it already (the last sync
     * recorded it for the row versions the table still holds: {@link RowVersions}); the owned sequences'
     * states are always read. {@code seconds} gets an entry only for tables actually read.
     */
    public static Map<TableName, TableFingerprint> of(Connection c, List<TableName> tables, Map<TableName, Double> seconds,
            Map<TableName, TableFingerprint> known) throws SQLException {
        return of(c, tables, seconds, known, true);
    }

    /**
     * The same; with {@code readContents} false (a full replace: every table is reloaded whatever it holds)
     * a table not in {@code known} is only counted — its digest {@link #UNREAD} — which is all the plan and
     * the data-loss guard need then: the content scan was most of the time a full sync added (docs/performance.md).
     */
    public static Map<TableName, TableFingerprint> of(Connection c, List<TableName> tables, Map<TableName, Double> seconds,
            Map<TableName, TableFingerprint> known, boolean readContents) throws SQLException {
        pinForDigests(c);
        Catalog catalog = new Catalog(c);
        Map<TableName, List<Column>> columns = catalog.columns(tables);
        Map<TableName, List<String>> sequences = sequenceStates(catalog, tables);
        Map<TableName, TableFingerprint> out = new LinkedHashMap<>();
        for (TableName t : tables) {
            String seqs = String.join(",", sequences.getOrDefault(t, List.of()));
            TableFingerprint k = known.get(t);
            if (k != null) {
                out.put(t, new TableFingerprint(k.rows(), k.digest(), seqs));
                continue;
            }
            long start = System.nanoTime();
            String sql = readContents ? query(t, columns.get(t), sendFunctions(c, t))
                    : "SELECT count(*), '" + UNREAD + "' FROM " + t.sql();
            try (PreparedStatement ps = c.prepareStatement(sql);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                out.put(t, new TableFingerprint(rs.getLong(1), rs.getString(2), seqs));
            }
            seconds.put(t, (System.nanoTime() - start) / 1e9);
        }
        return out;
    }

    /** The one statement per table: row digests, sorted, hashed again. */
    static String query(TableName t, List<Column> columns, Map<String, String> sendFunction) {
        return digestedRows(rowDigest(columns, sendFunction) + " AS d", t)
                + "SELECT count(*), encode(sha256(coalesce(string_agg(d, ''::bytea ORDER BY d), ''::bytea)), 'hex') FROM r";
    }

    /**
     * One row's SHA-256 as an SQL expression over the table's columns (unqualified): the same bytes on both
     * sides for the same contents. The row deltas ({@link BucketDigests}) use it too, so that their buckets
     * and the fingerprint agree on what "the same row" is.
     */
    public static String rowDigest(List<Column> columns, Map<String, String> sendFunction) {
        String row = columns.stream().filter(col -> !col.generated()).sorted(Comparator.comparing(Column::name))
                .map(col -> {
                    String value = col.binarySafe() ? sendFunction.get(col.name()) + "(" + Sql.ident(col.name()) + ")"
                            : "convert_to(" + Sql.ident(col.name()) + "::text, 'UTF8')";
                    // 33 bytes for a value (a marker and its digest), 1 for NULL: unambiguous, each value sent once
                    // decode(), not a '\x..' literal: no backslash for standard_conforming_strings = off to reinterpret
                    return "coalesce(decode('01', 'hex') || sha256(" + value + "), decode('00', 'hex'))";
                })
                .collect(Collectors.joining(" || "));
        return "sha256(" + row + ")";
    }

    public static Map<String, String> sendFunctions(Connection c, TableName t) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, t.typsend::regproc::text FROM pg_attribute a "
                + "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, t.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private static Map<TableName, List<String>> sequenceStates(Catalog catalog, List<TableName> tables) throws SQLException {
        Map<TableName, List<String>> out = new HashMap<>();
        List<OwnedSequence> owned = new ArrayList<>(catalog.ownedSequences(tables));
        owned.sort(Comparator.comparing(OwnedSequence::column));
        for (OwnedSequence s : owned) {
            var state = catalog.sequenceState(s.sequence());
            out.computeIfAbsent(s.table(), k -> new ArrayList<>()).add(s.column() + "=" + state.lastValue() + "/" + state.isCalled());
        }
        return out;
    }
}
