package dev.archon.sync.pg;

import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.CatalogModel.Index;
import dev.archon.sync.pg.CatalogModel.OwnedSequence;
import dev.archon.sync.pg.CatalogModel.SequenceState;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Catalog queries against one database, over the connection it is given (and its snapshot). */
public final class Catalog {
    /** Joins a relation to the wanted (schema, name) pairs passed as two text arrays. */
    private static final String WANTED = " JOIN unnest(?::text[], ?::text[]) AS want(s, t) ON n.nspname = want.s AND c.relname = want.t ";

    private final Connection c;

    public Catalog(Connection c) {
        this.c = c;
    }

    public int serverVersionNum() throws SQLException {
        return (int) Sql.queryLong(c, "SELECT current_setting('server_version_num')::int");
    }

    public Set<TableName> existingTables(Collection<TableName> tables) throws SQLException {
        Set<TableName> found = new LinkedHashSet<>();
        try (PreparedStatement ps = prepare("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + WANTED + "WHERE c.relkind IN ('r', 'p')", tables)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new TableName(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return found;
    }

    /** Every base table named archon_* in the schema, by name. */
    public List<TableName> archonTables(String schema) throws SQLException {
        List<TableName> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname LIKE 'archon\\_%' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                + " ORDER BY c.relname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableName(schema, rs.getString(1)));
                }
            }
        }
        return out;
    }

    /** Archon's migrations as applied here ("version/name"), empty when the table is not there. */
    public Set<String> archonMigrations(String schema) throws SQLException {
        Set<String> out = new java.util.TreeSet<>();
        TableName table = new TableName(schema, "archon_migrations");
        List<String> columns = columns(List.of(table)).getOrDefault(table, List.of()).stream().map(Column::name).toList();
        if (!columns.containsAll(List.of("version", "migration_name"))) {
            return out; // not there, or not Archon's: nothing to say (a failed query would end the snapshot)
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT version || '/' || migration_name FROM " + table.sql());
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    public Map<TableName, List<Column>> columns(Collection<TableName> tables) throws SQLException {
        Map<TableName, List<Column>> out = new LinkedHashMap<>();
        String sql = """
                SELECT n.nspname, c.relname, a.attname,
                       regexp_replace(format_type(a.atttypid, a.atttypmod), '^("[^"]+"|[a-z_][a-z0-9_$]*)\\.', '') AS type,
                       a.attgenerated <> '' AS generated,
                       (t.typsend <> 0 AND t.typreceive <> 0
                        AND t.typtype <> 'c'
                        AND NOT (t.typelem <> 0 AND t.typlen = -1 AND t.typelem >= 16384)) AS binary_safe
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                """ + WANTED + """
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                JOIN pg_type t ON t.oid = a.atttypid
                ORDER BY n.nspname, c.relname, a.attnum
                """;
        try (PreparedStatement ps = prepare(sql, tables); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(new TableName(rs.getString(1), rs.getString(2)), k -> new ArrayList<>())
                        .add(new Column(rs.getString(3), rs.getString(4), rs.getBoolean(5), rs.getBoolean(6)));
            }
        }
        return out;
    }

    /** Every foreign key whose child or parent is one of the tables. */
    public List<ForeignKey> foreignKeysTouching(Collection<TableName> tables) throws SQLException {
        String sql = """
                WITH wanted AS (
                  SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                """ + WANTED + """
                )
                SELECT con.conname,
                       cn.nspname, cc.relname, pn.nspname, pc.relname,
                       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
                       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)
                FROM pg_constraint con
                JOIN pg_class cc ON cc.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
                JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                WHERE con.contype = 'f'
                  AND (con.conrelid IN (SELECT oid FROM wanted) OR con.confrelid IN (SELECT oid FROM wanted))
                ORDER BY cn.nspname, cc.relname, con.conname
                """;
        List<ForeignKey> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, tables); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ForeignKey(rs.getString(1), new TableName(rs.getString(2), rs.getString(3)), strings(rs.getArray(6)),
                        new TableName(rs.getString(4), rs.getString(5)), strings(rs.getArray(7))));
            }
        }
        return out;
    }

    public List<Index> indexes(Collection<TableName> tables) throws SQLException {
        String sql = """
                SELECT ic.relname, icn.nspname, n.nspname, c.relname, pg_get_indexdef(i.indexrelid), am.amname,
                       EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')),
                       i.indisreplident OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass
                                   AND d.refobjid = i.indexrelid AND d.deptype = 'n'),
                       i.indisclustered, obj_description(i.indexrelid, 'pg_class'), i.indexrelid::bigint,
                       ic.relfilenode::bigint
                FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace icn ON icn.oid = ic.relnamespace
                JOIN pg_am am ON am.oid = ic.relam
                JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                """ + WANTED + """
                ORDER BY n.nspname, c.relname, ic.relname
                """;
        List<Index> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, tables); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Index(rs.getString(1), rs.getString(2), new TableName(rs.getString(3), rs.getString(4)),
                        rs.getString(5), rs.getString(6), rs.getBoolean(7), rs.getBoolean(8), rs.getBoolean(9),
                        rs.getString(10), rs.getLong(11), rs.getLong(12)));
            }
        }
        return out;
    }

    /** Invalid or not-ready indexes on the tables (verification). */
    public List<String> invalidIndexes(Collection<TableName> tables) throws SQLException {
        String sql = "SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace" + WANTED
                + " WHERE NOT i.indisvalid OR NOT i.indisready ORDER BY 1";
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, tables); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Sequences owned by a column of the tables (serial, bigserial, identity). */
    public List<OwnedSequence> ownedSequences(Collection<TableName> tables) throws SQLException {
        String sql = """
                SELECT quote_ident(sn.nspname) || '.' || quote_ident(s.relname), n.nspname, c.relname, a.attname
                FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
                JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace
                """ + WANTED + """
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
                WHERE s.relkind = 'S'
                ORDER BY n.nspname, c.relname, a.attname
                """;
        List<OwnedSequence> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, tables); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new OwnedSequence(rs.getString(1), new TableName(rs.getString(2), rs.getString(3)), rs.getString(4)));
            }
        }
        return out;
    }

    public SequenceState sequenceState(String qualifiedSequence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT last_value, is_called FROM " + qualifiedSequence);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new SequenceState(rs.getLong(1), rs.getBoolean(2));
        }
    }

    public long count(TableName table) throws SQLException {
        return Sql.queryLong(c, "SELECT count(*) FROM " + table.sql());
    }

    /** Heap + TOAST bytes of the table (no indexes): what a COPY of it roughly moves. */
    public long dataBytes(TableName table) throws SQLException {
        return Sql.queryLong(c, "SELECT pg_table_size(?::regclass)", table.sql());
    }

    public Optional<String> extensionSchema(String extension) throws SQLException {
        return Optional.ofNullable(Sql.queryString(c,
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ?",
                extension));
    }

    /** CREATE TYPE statements for the enum types the tables' columns use (schema objects a table dump lacks). */
    public Map<String, String> enumTypeDefinitions(Collection<TableName> tables) throws SQLException {
        String sql = """
                SELECT DISTINCT quote_ident(tn.nspname) || '.' || quote_ident(t.typname),
                       'CREATE TYPE ' || quote_ident(tn.nspname) || '.' || quote_ident(t.typname) || ' AS ENUM ('
                       || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                           FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                """ + WANTED + """
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
                WHERE t.typtype = 'e'
                ORDER BY 1
                """;
        return nameToDefinition(sql, tables);
    }

    /** CREATE OR REPLACE FUNCTION statements for the functions the tables' triggers call. */
    public Map<String, String> triggerFunctionDefinitions(Collection<TableName> tables) throws SQLException {
        String sql = """
                SELECT DISTINCT p.oid::regprocedure::text, pg_get_functiondef(p.oid)
                FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                """ + WANTED + """
                JOIN pg_proc p ON p.oid = tg.tgfoid
                WHERE NOT tg.tgisinternal
                ORDER BY 1
                """;
        return nameToDefinition(sql, tables);
    }

    public boolean typeExists(String qualifiedName) throws SQLException {
        return Sql.queryString(c, "SELECT to_regtype(?)::text", qualifiedName) != null;
    }

    public boolean functionExists(String signature) throws SQLException {
        return Sql.queryString(c, "SELECT to_regprocedure(?)::text", signature) != null;
    }

    private Map<String, String> nameToDefinition(String sql, Collection<TableName> tables) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(sql, tables); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private PreparedStatement prepare(String sql, Collection<TableName> tables) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setArray(1, c.createArrayOf("text", tables.stream().map(TableName::schema).toArray()));
        ps.setArray(2, c.createArrayOf("text", tables.stream().map(TableName::name).toArray()));
        return ps;
    }

    private static List<String> strings(Array a) throws SQLException {
        return Arrays.asList((String[]) a.getArray());
    }
}
