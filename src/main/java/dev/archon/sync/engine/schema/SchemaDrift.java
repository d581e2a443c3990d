package dev.archon.sync.engine.schema;

import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.schema.ArchonDefinitions.Definition;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An existing target whose Archon functions, views, policies or triggers differ from the source's (an
 * older Archon on one machine). Found by comparing {@link ArchonDefinitions} of both sides. A sync refuses
 * with the list unless the request says {@code "schema": true}; then, inside the load transaction, each
 * object the source has and the target lacks or defines differently is (re)created from the source's
 * definition (functions and views with CREATE OR REPLACE — a function whose result type changed is dropped
 * first, never with CASCADE — policies and triggers dropped and recreated, RLS switched as on the source);
 * a function or view the sync creates gets the source's privileges, not the target's defaults.
 * Objects only the target has are reported and left alone: the sync never drops what it cannot restore.
 * Only Archon's objects are ever touched — the rule of the fresh-target path ({@link FreshTargetSchema}): a
 * function or view that the target has under the same name but that is not Archon's there (another
 * application's {@code app_helper()}) is reported and left alone, its definition and grants as they are.
 */
public final class SchemaDrift {
    public enum Kind { DIFFERS, MISSING_ON_TARGET, ONLY_ON_TARGET, ANOTHER_APPS_ON_TARGET }

    /**
     * @param source      the source's definition; null for an object only the target has
     * @param replaceable false when CREATE OR REPLACE cannot change it (a function's result type differs):
     *                    it is dropped and created, and its privileges set as on the source
     */
    public record Change(String key, Kind kind, Definition source, boolean replaceable) {
        boolean applicable() {
            return kind == Kind.DIFFERS || kind == Kind.MISSING_ON_TARGET;
        }

        @Override
        public String toString() {
            return key + switch (kind) {
                case DIFFERS -> " differs";
                case MISSING_ON_TARGET -> " is missing on the target";
                case ONLY_ON_TARGET -> " exists only on the target (left alone)";
                case ANOTHER_APPS_ON_TARGET -> " exists on the target as another application's object, not Archon's (left alone)";
            };
        }
    }

    /** Functions first (views, policies and triggers call them), then views, policies, triggers, RLS switches. */
    private static final List<String> ORDER = List.of("function", "view", "policy", "trigger", "row-level-security");

    private SchemaDrift() {
    }

    public static List<Change> between(Connection source, Connection target, List<TableName> tables) throws SQLException {
        return between(source, target, tables, List.of());
    }

    /** @param created tables the target lacks, created by the sync with everything on them: not drift */
    public static List<Change> between(Connection source, Connection target, List<TableName> tables, List<TableName> created)
            throws SQLException {
        List<String> extensions = extensionSchemas(source, target);
        Map<String, Definition> src = ArchonDefinitions.of(source, ArchonSchema.without(source, tables, created), extensions);
        Map<String, Definition> tgt = ArchonDefinitions.of(target, ArchonSchema.without(target, tables, created), extensions);
        List<Change> out = new ArrayList<>();
        src.forEach((key, d) -> {
            Definition t = tgt.get(key);
            if (t == null) {
                out.add(new Change(key, existsOutsideArchon(target, d) ? Kind.ANOTHER_APPS_ON_TARGET : Kind.MISSING_ON_TARGET, d, true));
            } else if (!normal(d.kind(), t.definition()).equals(normal(d.kind(), d.definition()))) {
                out.add(new Change(key, Kind.DIFFERS, d, Objects.equals(normal(d.kind(), String.valueOf(t.returns())),
                        normal(d.kind(), String.valueOf(d.returns())))));
            }
        });
        tgt.keySet().stream().filter(k -> !src.containsKey(k)).forEach(k -> out.add(new Change(k, Kind.ONLY_ON_TARGET, null, true)));
        out.sort(Comparator.comparingInt((Change c) -> ORDER.indexOf(c.key().substring(0, c.key().indexOf(' '))))
                .thenComparing(Change::key));
        return out;
    }

    /** The target has a function or view of that name which its own catalog does not count as Archon's. */
    private static boolean existsOutsideArchon(Connection target, Definition d) {
        if (d.identity() == null) {
            return false; // policies, triggers and RLS switches hang on Archon's own tables
        }
        String lookup = d.kind().equals("function") ? "to_regprocedure(?)" : "to_regclass(?)";
        java.sql.Savepoint before = null;
        try {
            // an argument type the target lacks makes an older server's lookup fail: that must not end the transaction
            before = target.getAutoCommit() ? null : target.setSavepoint();
            try (PreparedStatement ps = target.prepareStatement("SELECT " + lookup + " IS NOT NULL")) {
                ps.setString(1, d.identity());
                try (ResultSet rs = ps.executeQuery()) {
                    boolean exists = rs.next() && rs.getBoolean(1);
                    if (before != null) {
                        target.releaseSavepoint(before);
                    }
                    return exists;
                }
            }
        } catch (SQLException e) {
            try {
                if (before != null) {
                    target.rollback(before);
                }
            } catch (SQLException ignored) {
                // the transaction is broken either way; the next statement says so
            }
            return false; // a type the target lacks: no object of that signature can exist there
        }
    }

    /** How the user brings the schema along, in each client's words (the CLI's flag, the page's option, the API's field). */
    public static final String HOW_TO_BRING_IT = "CLI: --with-schema, page: Bring the schema along, API: \"schema\": true";

    /** Preflight: drift an existing target has refuses the sync unless the request brings the schema along. */
    public static List<Refusal> refusals(SyncContext ctx, List<Change> changes) {
        List<String> applicable = changes.stream().filter(Change::applicable).map(Change::toString).toList();
        if (applicable.isEmpty() || ctx.job.request().schema()) {
            return List.of();
        }
        return List.of(new Refusal("schema_drift", "Archon's functions, views, policies or triggers differ between source and "
                + "target (" + applicable.size() + "): " + String.join("; ", applicable) + ". Sync with the schema brought along ("
                + HOW_TO_BRING_IT + ") to bring the source's definitions of Archon's objects along in the same transaction "
                + "(other applications' objects are never touched), or run the same Archon migrations on both"));
    }

    /** What a "schema": true sync applies; objects only the target has are said and left alone. */
    public static List<Change> toApply(SyncContext ctx, List<Change> changes) {
        changes.stream().filter(c -> !c.applicable()).forEach(c -> ctx.job.warn(c.toString()));
        return ctx.job.request().schema() ? changes.stream().filter(Change::applicable).toList() : List.of();
    }

    /** Importing, in the target transaction: the source's definitions. */
    public static void apply(SyncContext ctx, List<Change> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        ctx.job.progress(0, "Bringing " + changes.size() + " of Archon's functions, views, policies or triggers along from the source"
                + " (Archon's own objects only; other applications' are left alone)");
        Sql.exec(ctx.targetConnection, "SET LOCAL check_function_bodies = false");
        for (Change c : changes) {
            Definition d = c.source();
            if (!c.replaceable()) {
                Sql.exec(ctx.targetConnection, "DROP FUNCTION " + d.identity()); // no CASCADE: a dependent stops the sync
            }
            Sql.exec(ctx.targetConnection, d.create());
            if (d.grants() != null && (c.kind() == Kind.MISSING_ON_TARGET || !c.replaceable())) {
                privilegesAsOnSource(ctx.targetConnection, d);
            }
        }
    }

    /**
     * A function or view created here got this database's default privileges (PUBLIC may execute, Supabase
     * grants anon/authenticated/service_role by default): revoke what the target granted, grant the source's.
     */
    static void privilegesAsOnSource(Connection target, Definition d) throws SQLException {
        boolean function = d.kind().equals("function");
        String revoke = Sql.queryString(target, String.format(
                "SELECT string_agg(format('REVOKE ALL ON %1$s %%s FROM %%s', ?::text, CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
                        + "ELSE quote_ident(pg_get_userbyid(a.grantee)) END), '; ') FROM %2$s o, aclexplode(coalesce(o.%3$sacl, "
                        + "acldefault('%4$s', o.%3$sowner))) a WHERE o.oid = %5$s(?) AND a.grantee <> o.%3$sowner",
                function ? "FUNCTION" : "TABLE", function ? "pg_proc" : "pg_class", function ? "pro" : "rel", function ? "f" : "r",
                function ? "to_regprocedure" : "to_regclass"), d.identity(), d.identity());
        if (revoke != null) {
            Sql.exec(target, revoke);
        }
        if (!d.grants().isEmpty()) {
            Sql.exec(target, d.grants());
        }
    }

    /**
     * Layout is not drift: servers of different versions print the same definition with different line
     * breaks, and a 16+ server prints a view's columns without the relation's name where 15 qualifies them
     * ({@code archon_mcp_sessions.status} vs {@code status}), so views are compared without qualifiers.
     */
    static String normal(String kind, String definition) {
        String d = definition.replaceAll("\\s+", " ").trim();
        return kind.equals("view") ? d.replaceAll("(?<![\\w$.])\"?[A-Za-z_][\\w$]*\"?\\.(?=[A-Za-z_\"])", "") : d;
    }

    /** The source's functions and views of these Archon objects, with their privileges (for a schema the sync creates). */
    static List<Definition> definitionsOnSource(Connection source, Connection target, ArchonSchema schema) throws SQLException {
        return ArchonDefinitions.of(source, schema, extensionSchemas(source, target)).values().stream()
                .filter(d -> d.kind().equals("function") || d.kind().equals("view")).toList();
    }

    /** The target has a function or view of this signature or name already. */
    static boolean existsOnTarget(Connection target, Definition d) throws SQLException {
        String lookup = d.kind().equals("function") ? "to_regprocedure(?)" : "to_regclass(?)";
        try (PreparedStatement ps = target.prepareStatement("SELECT " + lookup + " IS NOT NULL")) {
            ps.setString(1, d.identity());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static List<String> extensionSchemas(Connection source, Connection target) throws SQLException {
        List<String> out = new ArrayList<>();
        for (Connection c : List.of(source, target)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT extnamespace::regnamespace::text FROM pg_extension");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!out.contains(rs.getString(1))) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }
}
