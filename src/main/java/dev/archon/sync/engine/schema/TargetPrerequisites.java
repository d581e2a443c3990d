package dev.archon.sync.engine.schema;

import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.schema.ArchonDependencies.Extension;
import dev.archon.sync.engine.schema.ArchonDependencies.ExtensionOnTarget;
import dev.archon.sync.engine.schema.ArchonDependencies.ExternalFunction;
import dev.archon.sync.engine.schema.ArchonDependencies.Role;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the target must have before Archon's schema can be created on it, computed from what the
 * source's Archon objects depend on ({@link ArchonDependencies}) and checked against the target's
 * catalog in one pass: the extensions, each in the schema it has on the source (a dump names
 * {@code extensions.vector} or {@code public.vector}, never "wherever it is"), the extension version
 * where a feature needs one, the schemas and functions outside Archon that its policies call
 * ({@code auth.role()}), and the roles its policies and grants name. Each missing piece becomes one
 * refusal carrying the SQL that supplies it on this target, so the sync is refused once with the whole
 * list, never by a failed import.
 */
public final class TargetPrerequisites {
    /** Separates the description from the SQL to run, in every message that has one. */
    static final String RUN = " — run on the target: ";
    /** pgvector features and the version that introduced them (pgvector's CHANGELOG). */
    private static final Map<String, String> PGVECTOR_FEATURES = Map.of("hnsw", "0.5.0", "halfvec", "0.7.0",
            "sparsevec", "0.7.0", "bit_", "0.7.0", "binary_quantize", "0.7.0");

    private TargetPrerequisites() {
    }

    /**
     * @param fresh the target has none of the synced tables, so Archon's whole schema will be created
     */
    public static void check(SyncContext ctx, boolean fresh, List<Refusal> refusals) throws SQLException {
        Connection tgt = ctx.targetConnection;
        ArchonSchema archon = ArchonSchema.of(ctx.sourceConnection, ctx.tables.synced());
        ArchonDependencies needs = ArchonDependencies.of(ctx.sourceConnection, archon);
        if (!fresh) {
            // the tables exist, so their types do: only an extension missing altogether can still bite
            for (Extension e : needs.extensions()) {
                if (ArchonDependencies.onTarget(tgt, e.name()).schema().isEmpty()) {
                    refusals.add(extensionMissing(ctx, e));
                }
            }
            return;
        }
        List<String> present = ArchonDependencies.existingRelations(tgt, archon);
        if (!present.isEmpty()) {
            refusals.add(new Refusal("archon_objects_present", "the target has none of the synced tables but already has "
                    + "some of Archon's other relations (" + String.join(", ", present) + "), which creating Archon's schema "
                    + "would collide with: drop them if they are leftovers, or run Archon's migrations there first"));
        }
        // roles first: the commands of the later refusals grant to them
        for (Role r : needs.roles()) {
            if (!ArchonDependencies.roleExists(tgt, r.name())) {
                refusals.add(new Refusal("role_missing_on_target", "role " + r.name() + " (named by Archon's policies or grants; Supabase creates it) "
                        + "is missing" + RUN + r.createStatement()));
            }
        }
        for (String schema : archon.schemas()) {
            if (!ArchonDependencies.schemaExists(tgt, schema)) {
                refusals.add(new Refusal("schema_missing_on_target", "schema " + schema + " (where Archon's tables live on the source) is missing"
                        + RUN + "CREATE SCHEMA " + Sql.ident(schema) + ";"));
            }
        }
        for (Extension e : needs.extensions()) {
            extension(ctx, e).ifPresent(refusals::add);
        }
        Set<String> schemasToCreate = new LinkedHashSet<>();
        for (ExternalFunction f : needs.functions()) {
            boolean schemaThere = ArchonDependencies.schemaExists(tgt, f.schema());
            if (!schemaThere || Sql.queryString(tgt, "SELECT to_regprocedure(?)::text", f.signature()) == null) {
                String create = schemasToCreate.add(f.schema()) ? createSchema(ctx, f.schema()) : "";
                refusals.add(new Refusal("function_missing_on_target", "function " + f.signature() + " (called by Archon's policies or views; on Supabase "
                        + "it comes with the platform) is missing" + RUN + create + f.definition().trim() + ";"));
            }
        }
    }

    /** The extension is missing, in another schema than on the source, or too old for a feature the source uses. */
    private static Optional<Refusal> extension(SyncContext ctx, Extension e) throws SQLException {
        Connection tgt = ctx.targetConnection;
        ExtensionOnTarget t = ArchonDependencies.onTarget(tgt, e.name());
        String createSchema = createSchema(ctx, e.schema());
        if (t.schema().isEmpty()) {
            return Optional.of(extensionMissing(ctx, e));
        }
        if (!t.schema().get().equals(e.schema())) {
            return Optional.of(new Refusal("extension_in_other_schema", "extension " + e.name() + " is in schema " + t.schema().get() + " on the target but in "
                    + e.schema() + " on the source, and Archon's objects name its types there (" + String.join(", ", e.members())
                    + ")" + RUN + createSchema + "ALTER EXTENSION " + Sql.ident(e.name()) + " SET SCHEMA " + Sql.ident(e.schema()) + ";"));
        }
        Optional<String> needed = neededVersion(e);
        if (needed.isPresent() && t.version().isPresent() && older(t.version().get(), needed.get())) {
            boolean updatable = t.availableVersions().stream().anyMatch(v -> !older(v, needed.get()));
            return Optional.of(new Refusal("extension_too_old", "extension " + e.name() + " is version " + t.version().get() + " on the target; the source's "
                    + "Archon objects use a feature of " + needed.get() + " or newer"
                    + (updatable ? RUN + "ALTER EXTENSION " + Sql.ident(e.name()) + " UPDATE;"
                            : ": install a newer " + e.name() + " package on the target's server, then ALTER EXTENSION "
                                    + e.name() + " UPDATE")));
        }
        return Optional.empty();
    }

    private static Refusal extensionMissing(SyncContext ctx, Extension e) throws SQLException {
        ExtensionOnTarget t = ArchonDependencies.onTarget(ctx.targetConnection, e.name());
        String used = " (Archon's objects use " + String.join(", ", e.members()) + ")";
        if (t.available().isEmpty()) {
            return new Refusal(missingCode(e), "extension " + e.name() + " is not installed on the target and its server cannot install it"
                    + used + ": install the package (pgvector: postgresql-<major>-pgvector; on Supabase: Database → Extensions), then "
                    + "CREATE EXTENSION " + e.name() + " WITH SCHEMA " + e.schema());
        }
        String createSchema = createSchema(ctx, e.schema());
        return new Refusal(missingCode(e), "extension " + e.name() + " is not installed on the target" + used + RUN + createSchema
                + "CREATE EXTENSION IF NOT EXISTS " + Sql.ident(e.name()) + " WITH SCHEMA " + Sql.ident(e.schema()) + ";");
    }

    /** "" when the target has the schema; else its creation with the USAGE grants it has on the source. */
    private static String createSchema(SyncContext ctx, String schema) throws SQLException {
        if (ArchonDependencies.schemaExists(ctx.targetConnection, schema)) {
            return "";
        }
        List<String> users = ArchonDependencies.schemaUsers(ctx.sourceConnection, schema);
        return "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(schema) + "; "
                + (users.isEmpty() ? "" : "GRANT USAGE ON SCHEMA " + Sql.ident(schema) + " TO " + String.join(", ", users) + "; ");
    }

    /** vector keeps the code clients knew before the other prerequisites were checked. */
    private static String missingCode(Extension e) {
        return e.name().equals("vector") ? "vector_missing_on_target" : "extension_missing_on_target";
    }

    static Optional<String> neededVersion(Extension e) {
        if (!e.name().equals("vector")) {
            return Optional.empty();
        }
        String needed = null;
        for (String member : e.members()) {
            for (Map.Entry<String, String> f : PGVECTOR_FEATURES.entrySet()) {
                if (member.contains(f.getKey()) && (needed == null || older(needed, f.getValue()))) {
                    needed = f.getValue();
                }
            }
        }
        return Optional.ofNullable(needed);
    }

    /** Dotted version comparison: is {@code a} older than {@code b}? */
    static boolean older(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? number(x[i]) : 0;
            int q = i < y.length ? number(y[i]) : 0;
            if (p != q) {
                return p < q;
            }
        }
        return false;
    }

    private static int number(String s) {
        String digits = s.replaceAll("\\D.*", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    /** The SQL statements a refusal asks to run ("" when it asks for something else, like a package). */
    static String commandOf(Refusal r) {
        int at = r.message().indexOf(RUN);
        return at < 0 ? "" : r.message().substring(at + RUN.length());
    }

    public static List<String> commands(List<Refusal> refusals) {
        List<String> out = new ArrayList<>();
        refusals.stream().map(TargetPrerequisites::commandOf).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }
}
