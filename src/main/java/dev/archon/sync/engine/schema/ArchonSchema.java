package dev.archon.sync.engine.schema;

import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which objects of one database belong to Archon's schema, decided from its catalog:
 * <ul>
 *   <li>relations: the synced tables, every {@code archon_*} table, view or sequence in their schemas
 *       (Archon's naming: the MCP tables, which are never synced, are created empty), every view that
 *       depends on one of them (pg_depend through the view's rewrite rule), and the sequences they own;</li>
 *   <li>their indexes, constraints, triggers, policies, column defaults and row-security switches;</li>
 *   <li>functions in those schemas that are not an extension's: called by a trigger, a default, a check
 *       or a policy of those relations (pg_depend), named after Archon ({@code *archon*}), listed in
 *       {@link #HELPER_FUNCTIONS}, or whose body reads one of the relations or calls a function already
 *       in the set (repeated until nothing is added);</li>
 *   <li>the enum, composite and domain types of their columns and of those functions' signatures.</li>
 * </ul>
 * Never part of it: anything in another schema (Supabase's auth, storage, extensions …), extension
 * members, and other objects in Archon's schemas that neither carry Archon's name nor depend on it.
 */
public final class ArchonSchema {
    /**
     * Archon's helpers that neither read a table nor carry Archon's name (complete_setup.sql
     * section 4.5); the search functions call them, Archon's server calls them over PostgREST.
     */
    public static final Set<String> HELPER_FUNCTIONS = Set.of("detect_embedding_dimension", "get_embedding_column_name");

    /** Per-machine logs: what happened on this machine, never another's (the fork's MCP sessions, its own sync log). */
    public static final Set<String> PER_MACHINE_LOGS = Set.of("archon_mcp_sessions", "archon_mcp_requests", "archon_sync_history");

    /** Archon's own backup copies (upstream's backup_database.sql): archon_sources_backup_20250101_120000. */
    private static final Pattern BACKUP_COPY = Pattern.compile("^archon_.+_backup_[0-9]+_[0-9]+$");
    /** The same rule for the catalog queries (POSIX regular expression). */
    private static final String BACKUP_COPY_SQL = "'^archon_.+_backup_[0-9]+_[0-9]+$'";

    /**
     * The order the fork's tables have always been listed in (parents first): a found set keeps it, and
     * tables it does not name follow by name. Only a tie-breaker: the load order follows the foreign keys.
     */
    public static final List<String> KNOWN_ORDER = List.of("archon_settings", "archon_migrations", "archon_llm_pricing",
            "archon_prompts", "archon_sources", "archon_page_metadata", "archon_crawled_pages", "archon_code_examples",
            "archon_crawl_state", "archon_projects", "archon_tasks", "archon_task_history", "archon_document_versions",
            "archon_project_sources", "archon_configured_repositories", "archon_agent_work_orders",
            "archon_agent_work_order_steps");

    public static boolean isBackupCopy(String table) {
        return BACKUP_COPY.matcher(table).matches();
    }

    public static boolean isPerMachineLog(String table) {
        return PER_MACHINE_LOGS.contains(table);
    }

    /** A catalog object as pg_dump's table of contents names it: "tableoid oid". */
    public record CatalogId(long classId, long objectId) {
        @Override
        public String toString() {
            return classId + " " + objectId;
        }
    }

    private final List<String> schemas;
    private final Map<Long, String> relations;
    private final Map<Long, String> functions;
    private final Map<Long, String> types;
    private final Set<CatalogId> members;

    private ArchonSchema(List<String> schemas, Map<Long, String> relations, Map<Long, String> functions,
            Map<Long, String> types, Set<CatalogId> members) {
        this.schemas = schemas;
        this.relations = relations;
        this.functions = functions;
        this.types = types;
        this.members = members;
    }

    /** The schemas the synced tables live in: Archon's objects are looked for there only. */
    public List<String> schemas() {
        return schemas;
    }

    /** oid → qualified name of every table, view and sequence. */
    public Map<Long, String> relations() {
        return relations;
    }

    /** oid → schema.name(argument types), as to_regprocedure() reads it. */
    public Map<Long, String> functions() {
        return functions;
    }

    public Map<Long, String> types() {
        return types;
    }

    /** Every object (and sub-object: index, constraint, trigger, policy, default) as (classid, oid). */
    public Set<CatalogId> members() {
        return members;
    }

    public long[] relationOids() {
        return relations.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    public long[] functionOids() {
        return functions.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    public static ArchonSchema of(Connection c, Collection<TableName> synced) throws SQLException {
        return of(c, synced, true, Set.of());
    }

    /** Archon's schema without some tables (those a sync creates itself on a target that lacks them). */
    public static ArchonSchema without(Connection c, Collection<TableName> synced, Collection<TableName> leftOut) throws SQLException {
        return of(c, synced, true, leftOut);
    }

    /**
     * Only these tables, with their indexes, constraints, triggers, policies, sequences and the views on them,
     * and Archon's functions and types (a target that has them keeps its own): what creating tables an
     * existing target lacks needs.
     */
    public static ArchonSchema ofTables(Connection c, Collection<TableName> tables) throws SQLException {
        return of(c, tables, false, Set.of());
    }

    private static ArchonSchema of(Connection c, Collection<TableName> synced, boolean everyArchonRelation,
            Collection<TableName> leftOut) throws SQLException {
        List<String> schemas = new ArrayList<>(new TreeSet<>(synced.stream().map(TableName::schema).toList()));
        Map<Long, String> relations = relations(c, synced, everyArchonRelation ? schemas : List.of(), leftOut);
        Map<Long, String> functions = functions(c, schemas, relations);
        Map<Long, String> types = types(c, relations, functions);
        Set<CatalogId> members = new LinkedHashSet<>();
        Long[] rel = relations.keySet().toArray(Long[]::new);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT 'pg_class'::regclass::oid, oid FROM pg_class WHERE oid = ANY(?::oid[])
                UNION ALL SELECT 'pg_class'::regclass::oid, indexrelid FROM pg_index WHERE indrelid = ANY(?::oid[])
                UNION ALL SELECT 'pg_constraint'::regclass::oid, oid FROM pg_constraint WHERE conrelid = ANY(?::oid[])
                UNION ALL SELECT 'pg_trigger'::regclass::oid, oid FROM pg_trigger WHERE tgrelid = ANY(?::oid[]) AND NOT tgisinternal
                UNION ALL SELECT 'pg_policy'::regclass::oid, oid FROM pg_policy WHERE polrelid = ANY(?::oid[])
                UNION ALL SELECT 'pg_attrdef'::regclass::oid, oid FROM pg_attrdef WHERE adrelid = ANY(?::oid[])
                UNION ALL SELECT 0, oid FROM pg_class WHERE oid = ANY(?::oid[]) AND relkind IN ('r', 'p')
                """)) {
            for (int i = 1; i <= 7; i++) {
                ps.setArray(i, c.createArrayOf("bigint", rel));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(new CatalogId(rs.getLong(1), rs.getLong(2)));
                }
            }
        }
        long procClass = Sql.queryLong(c, "SELECT 'pg_proc'::regclass::oid");
        long typeClass = Sql.queryLong(c, "SELECT 'pg_type'::regclass::oid");
        functions.keySet().forEach(f -> members.add(new CatalogId(procClass, f)));
        types.keySet().forEach(t -> members.add(new CatalogId(typeClass, t)));
        return new ArchonSchema(List.copyOf(schemas), relations, functions, types, members);
    }

    private static Map<Long, String> relations(Connection c, Collection<TableName> synced, List<String> schemas,
            Collection<TableName> leftOut) throws SQLException {
        String sql = """
                WITH RECURSIVE base AS (
                  SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN unnest(?::text[], ?::text[]) AS want(s, t) ON n.nspname = want.s AND c.relname = want.t
                  UNION
                  SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = ANY(?::text[]) AND c.relname LIKE 'archon\\_%' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                    AND c.relname !~ """ + BACKUP_COPY_SQL + """
                ), rel AS (
                  SELECT b.oid FROM base b JOIN pg_class c ON c.oid = b.oid JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE (n.nspname, c.relname) NOT IN (SELECT * FROM unnest(?::text[], ?::text[]))
                  UNION
                  SELECT r.ev_class FROM pg_depend d
                  JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
                  JOIN rel ON d.refclassid = 'pg_class'::regclass AND d.refobjid = rel.oid
                  WHERE r.ev_class <> rel.oid
                ), owned AS (
                  SELECT oid FROM rel
                  UNION
                  SELECT d.objid FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                    AND d.deptype IN ('a', 'i') AND d.refobjid IN (SELECT oid FROM rel)
                )
                SELECT o.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM owned o
                JOIN pg_class c ON c.oid = o.oid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.objid = o.oid
                                  AND e.deptype = 'e')
                ORDER BY 2
                """;
        Map<Long, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", synced.stream().map(TableName::schema).toArray()));
            ps.setArray(2, c.createArrayOf("text", synced.stream().map(TableName::name).toArray()));
            ps.setArray(3, c.createArrayOf("text", schemas.toArray()));
            ps.setArray(4, c.createArrayOf("text", leftOut.stream().map(TableName::schema).toArray()));
            ps.setArray(5, c.createArrayOf("text", leftOut.stream().map(TableName::name).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private record Candidate(long oid, String name, String signature, String body) {
    }

    private static Map<Long, String> functions(Connection c, List<String> schemas, Map<Long, String> relations)
            throws SQLException {
        Long[] rel = relations.keySet().toArray(Long[]::new);
        List<Candidate> candidates = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT p.oid, p.proname, quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || oidvectortypes(p.proargtypes) || ')',
                       coalesce(p.prosrc, '') FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = ANY(?::text[]) AND p.prokind IN ('f', 'p')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
                ORDER BY 3
                """)) {
            ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new Candidate(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        // called by the relations' triggers, defaults, checks, policies, views or indexes
        Set<Long> used = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT tgfoid FROM pg_trigger WHERE tgrelid = ANY(?::oid[])
                UNION SELECT d.refobjid FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass AND (
                     (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = ANY(?::oid[])))
                  OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = ANY(?::oid[])))
                  OR (d.classid = 'pg_policy'::regclass AND d.objid IN (SELECT oid FROM pg_policy WHERE polrelid = ANY(?::oid[])))
                  OR (d.classid = 'pg_rewrite'::regclass AND d.objid IN (SELECT oid FROM pg_rewrite WHERE ev_class = ANY(?::oid[])))
                  OR (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY(?::oid[]))))
                """)) {
            for (int i = 1; i <= 6; i++) {
                ps.setArray(i, c.createArrayOf("bigint", rel));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    used.add(rs.getLong(1));
                }
            }
        }
        Set<String> relationNames = new LinkedHashSet<>();
        relations.values().forEach(q -> relationNames.add(unqualified(q)));
        Pattern readsArchon = wordsPattern(relationNames, "");
        Map<Long, String> out = new LinkedHashMap<>();
        for (Candidate f : candidates) {
            if (used.contains(f.oid()) || f.name().contains("archon") || HELPER_FUNCTIONS.contains(f.name())
                    || (readsArchon != null && readsArchon.matcher(f.body()).find())) {
                out.put(f.oid(), f.signature());
            }
        }
        // functions the set calls: repeat until nothing is added
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Candidate f : candidates) {
                if (out.containsKey(f.oid())) {
                    continue;
                }
                Pattern call = Pattern.compile("(?i)(?<![\\w$])" + Pattern.quote(f.name()) + "\\s*\\(");
                if (candidates.stream().anyMatch(g -> out.containsKey(g.oid()) && call.matcher(g.body()).find())) {
                    out.put(f.oid(), f.signature());
                    grew = true;
                }
            }
        }
        return out;
    }

    private static Map<Long, String> types(Connection c, Map<Long, String> relations, Map<Long, String> functions)
            throws SQLException {
        String sql = """
                WITH used AS (
                  SELECT a.atttypid AS t FROM pg_attribute a WHERE a.attrelid = ANY(?::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
                  UNION SELECT unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) FROM pg_proc p WHERE p.oid = ANY(?::oid[])
                  UNION SELECT p.prorettype FROM pg_proc p WHERE p.oid = ANY(?::oid[])
                ), resolved AS (
                  SELECT CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END AS t FROM used JOIN pg_type t ON t.oid = used.t
                )
                SELECT DISTINCT t.oid, t.oid::regtype::text FROM resolved r JOIN pg_type t ON t.oid = r.t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND t.typtype IN ('e', 'd', 'c')
                  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
                ORDER BY 2
                """;
        Map<Long, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("bigint", relations.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("bigint", functions.keySet().toArray()));
            ps.setArray(3, c.createArrayOf("bigint", functions.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Matches any of the words as a whole identifier (not inside a longer one), optionally followed by {@code suffix}. */
    private static Pattern wordsPattern(Collection<String> words, String suffix) {
        if (words.isEmpty()) {
            return null;
        }
        StringBuilder alt = new StringBuilder();
        for (String w : words) {
            alt.append(alt.length() == 0 ? "" : "|").append(Pattern.quote(w));
        }
        return Pattern.compile("(?i)(?<![\\w$])(?:" + alt + ")(?![\\w$])" + suffix);
    }

    static String unqualified(String qualified) {
        int dot = qualified.lastIndexOf('.');
        String n = dot < 0 ? qualified : qualified.substring(dot + 1);
        return n.startsWith("\"") ? n.substring(1, n.length() - 1).replace("\"\"", "\"") : n;
    }

}
