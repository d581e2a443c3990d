package dev.archon.sync.engine.schema;

import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Archon's objects (an {@link ArchonSchema}) need from outside themselves, read from the source's
 * catalog through pg_depend, the policies' role lists and the objects' privileges: extensions (with the
 * schema they live in and the members used), functions of other schemas (Supabase's {@code auth.role()},
 * {@code auth.uid()}), and roles.
 */
public final class ArchonDependencies {

    /** An extension Archon's objects use; {@code members} as pg_describe_object prints them. */
    public record Extension(String name, String schema, String version, List<String> members) {
    }

    /** A function outside Archon's set that a policy, default or view calls. */
    public record ExternalFunction(String schema, String signature, String definition) {
    }

    /** A role named by a policy or a privilege, with the attributes it has on the source. */
    public record Role(String name, boolean login, boolean inherit, boolean bypassRls) {
        public String createStatement() {
            return "CREATE ROLE " + Sql.ident(name) + (login ? " LOGIN" : " NOLOGIN") + (inherit ? "" : " NOINHERIT")
                    + (bypassRls ? " BYPASSRLS" : "") + ";";
        }
    }

    private final List<Extension> extensions;
    private final List<ExternalFunction> functions;
    private final List<Role> roles;

    private ArchonDependencies(List<Extension> extensions, List<ExternalFunction> functions, List<Role> roles) {
        this.extensions = extensions;
        this.functions = functions;
        this.roles = roles;
    }

    public List<Extension> extensions() {
        return extensions;
    }

    public List<ExternalFunction> functions() {
        return functions;
    }

    public List<Role> roles() {
        return roles;
    }

    /** The dependent side: Archon's objects and sub-objects, and the rewrite rules of its views. */
    private static final String DEPENDENTS = """
            WITH members AS (SELECT * FROM unnest(?::oid[], ?::oid[]) AS m(classid, objid)),
            deps AS (
              SELECT d.refclassid, d.refobjid FROM pg_depend d JOIN members m ON m.classid = d.classid AND m.objid = d.objid
              UNION
              SELECT d.refclassid, d.refobjid FROM pg_depend d JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
              WHERE r.ev_class = ANY(?::oid[])
            )
            """;

    public static ArchonDependencies of(Connection c, ArchonSchema schema) throws SQLException {
        return new ArchonDependencies(extensions(c, schema), functions(c, schema), roles(c, schema));
    }

    private static List<Extension> extensions(Connection c, ArchonSchema schema) throws SQLException {
        String sql = DEPENDENTS + """
                SELECT x.extname, n.nspname, x.extversion, pg_describe_object(deps.refclassid, deps.refobjid, 0)
                FROM deps JOIN pg_depend e ON e.classid = deps.refclassid AND e.objid = deps.refobjid AND e.deptype = 'e'
                     AND e.refclassid = 'pg_extension'::regclass
                JOIN pg_extension x ON x.oid = e.refobjid JOIN pg_namespace n ON n.oid = x.extnamespace
                ORDER BY 1, 4
                """;
        Map<String, Extension> out = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(c, sql, schema); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (!out.containsKey(name)) {
                    out.put(name, new Extension(name, rs.getString(2), rs.getString(3), new ArrayList<>()));
                }
                out.get(name).members().add(rs.getString(4));
            }
        }
        return out.values().stream().map(e -> new Extension(e.name(), e.schema(), e.version(), List.copyOf(e.members()))).toList();
    }

    private static List<ExternalFunction> functions(Connection c, ArchonSchema schema) throws SQLException {
        String sql = DEPENDENTS + """
                SELECT DISTINCT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || oidvectortypes(p.proargtypes) || ')',
                       pg_get_functiondef(p.oid)
                FROM deps JOIN pg_proc p ON deps.refclassid = 'pg_proc'::regclass AND p.oid = deps.refobjid
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND NOT (p.oid = ANY(?::oid[]))
                  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
                ORDER BY 2
                """;
        List<ExternalFunction> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql, schema)) {
            ps.setArray(4, c.createArrayOf("bigint", schema.functions().keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ExternalFunction(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    private static List<Role> roles(Connection c, ArchonSchema schema) throws SQLException {
        String sql = """
                WITH named AS (
                  SELECT unnest(polroles) AS r FROM pg_policy WHERE polrelid = ANY(?::oid[])
                  UNION SELECT (aclexplode(relacl)).grantee FROM pg_class WHERE oid = ANY(?::oid[]) AND relacl IS NOT NULL
                  UNION SELECT (aclexplode(proacl)).grantee FROM pg_proc WHERE oid = ANY(?::oid[]) AND proacl IS NOT NULL
                  UNION SELECT (aclexplode(typacl)).grantee FROM pg_type WHERE oid = ANY(?::oid[]) AND typacl IS NOT NULL
                )
                SELECT a.rolname, a.rolcanlogin, a.rolinherit, a.rolbypassrls FROM named JOIN pg_roles a ON a.oid = named.r
                ORDER BY 1
                """;
        List<Role> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("bigint", schema.relations().keySet().toArray()));
            ps.setArray(2, c.createArrayOf("bigint", schema.relations().keySet().toArray()));
            ps.setArray(3, c.createArrayOf("bigint", schema.functions().keySet().toArray()));
            ps.setArray(4, c.createArrayOf("bigint", schema.types().keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Role(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    private static PreparedStatement prepare(Connection c, String sql, ArchonSchema schema) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setArray(1, c.createArrayOf("bigint", schema.members().stream().map(ArchonSchema.CatalogId::classId).toArray()));
        ps.setArray(2, c.createArrayOf("bigint", schema.members().stream().map(ArchonSchema.CatalogId::objectId).toArray()));
        ps.setArray(3, c.createArrayOf("bigint", schema.relations().keySet().toArray()));
        return ps;
    }

    /** The target's side of an extension: installed (schema, version), or only available (default version). */
    public record ExtensionOnTarget(Optional<String> schema, Optional<String> version, Optional<String> available,
            List<String> availableVersions) {
    }

    public static ExtensionOnTarget onTarget(Connection target, String extension) throws SQLException {
        String schema = Sql.queryString(target, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                + "WHERE e.extname = ?", extension);
        String version = Sql.queryString(target, "SELECT extversion FROM pg_extension WHERE extname = ?", extension);
        String available = Sql.queryString(target, "SELECT default_version FROM pg_available_extensions WHERE name = ?", extension);
        List<String> versions = new ArrayList<>();
        try (PreparedStatement ps = target.prepareStatement("SELECT version FROM pg_available_extension_versions WHERE name = ?")) {
            ps.setString(1, extension);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.add(rs.getString(1));
                }
            }
        }
        return new ExtensionOnTarget(Optional.ofNullable(schema), Optional.ofNullable(version), Optional.ofNullable(available),
                versions);
    }

    /** Roles other than the owner that may use the schema on the source (a new schema on the target gets the same). */
    public static List<String> schemaUsers(Connection source, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement("""
                SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
                FROM pg_namespace n, aclexplode(n.nspacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
                WHERE n.nspname = ? AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner ORDER BY 1
                """)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    public static boolean schemaExists(Connection target, String schema) throws SQLException {
        return Sql.queryString(target, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema) != null;
    }

    public static boolean roleExists(Connection target, String role) throws SQLException {
        return Sql.queryString(target, "SELECT rolname FROM pg_roles WHERE rolname = ?", role) != null;
    }

    /** Archon's relations (by qualified name) that the target already has. */
    public static List<String> existingRelations(Connection target, ArchonSchema schema) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String q : schema.relations().values()) {
            if (Sql.queryString(target, "SELECT to_regclass(?)::text", q) != null) {
                out.add(q);
            }
        }
        return out;
    }
}
