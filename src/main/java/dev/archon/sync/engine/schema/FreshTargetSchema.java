package dev.archon.sync.engine.schema;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.backup.WritableDirectory;
import dev.archon.sync.engine.schema.ArchonDefinitions.Definition;
import dev.archon.sync.engine.schema.ArchonSchema.CatalogId;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.ToolProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates Archon's whole schema on a target that has none of the synced tables (a fresh machine,
 * disaster recovery), as the source has it: the synced tables and Archon's other tables (created
 * empty), views, functions, types, sequences with their ownership, indexes, constraints, triggers,
 * policies, comments and grants — exactly the objects {@link ArchonSchema} finds, taken from a
 * {@code pg_dump --schema-only} of their schemas whose table of contents is filtered to them. The DDL
 * runs inside the load transaction, so a failed sync leaves nothing behind. Functions and types the
 * target already has (same signature) are kept as they are.
 */
public final class FreshTargetSchema {
    /** pg_dump 17.6+/16.10+/15.14+ wraps its script in these psql meta-commands, one random key per dump. */
    private static final Pattern RESTRICT = Pattern.compile("^\\\\restrict ([A-Za-z0-9]+)$");

    private FreshTargetSchema() {
    }

    /** Exporting: the DDL, read from the source (through files in the work directory). */
    public static String export(SyncContext ctx) throws SQLException, IOException, InterruptedException {
        try {
            return exportThroughWorkDir(ctx);
        } catch (IOException e) {
            if (WritableDirectory.isNoSpace(e)) {
                throw new IOException(WritableDirectory.work(ctx.settings.workDir()).full("reading the source's schema")
                        + "; nothing was changed");
            }
            throw e;
        }
    }

    private static String exportThroughWorkDir(SyncContext ctx) throws SQLException, IOException, InterruptedException {
        PgClient client = ctx.plan.schemaClient();
        ArchonSchema archon = created(ctx);
        Path archive = ctx.workDir().resolve("source-schema.dump");
        List<String> args = new ArrayList<>(List.of("--schema-only", "--format=custom", "--file=" + archive));
        for (String schema : archon.schemas()) {
            args.add("--schema=" + Sql.ident(schema));
        }
        run(ctx, client, "pg_dump", args, true);
        DumpToc toc = DumpToc.parse(run(ctx, client, "pg_restore", List.of("--list", archive.toString()), false));
        List<DumpToc.Entry> chosen = toc.archonEntries(archon, alreadyOnTarget(ctx, archon));
        Path list = ctx.workDir().resolve("source-schema.list");
        Files.writeString(list, DumpToc.listFile(chosen));
        String ddl = run(ctx, client, "pg_restore", List.of("--no-owner", "--use-list=" + list, "--file=-", archive.toString()), false);
        ctx.job.progress(1, String.format("Read Archon's schema from the source: %d relations, %d functions, %d types",
                archon.relations().size(), archon.functions().size(), archon.types().size()));
        return forServer(ddl, ctx.plan.targetServerVersion());
    }

    /** What the sync creates: on a fresh target Archon's whole schema, on an existing one the tables it lacks ("schema": true). */
    private static ArchonSchema created(SyncContext ctx) throws SQLException {
        return ctx.plan.freshTarget() ? ArchonSchema.of(ctx.sourceConnection, ctx.plan.tableNames())
                : ArchonSchema.ofTables(ctx.sourceConnection, ctx.plan.createdNames());
    }

    /** Importing: run it in the target transaction, then give what it created the source's privileges. */
    public static void create(SyncContext ctx, String ddl) throws SQLException {
        List<Definition> toCreate = new ArrayList<>();
        for (Definition d : SchemaDrift.definitionsOnSource(ctx.sourceConnection, ctx.targetConnection, created(ctx))) {
            if (d.grants() != null && !SchemaDrift.existsOnTarget(ctx.targetConnection, d)) {
                toCreate.add(d); // one the target has already is kept as it is, privileges included
            }
        }
        Sql.exec(ctx.targetConnection, "SET LOCAL check_function_bodies = false");
        Sql.exec(ctx.targetConnection, ddl);
        Sql.exec(ctx.targetConnection, "RESET search_path"); // pg_dump's script empties it for the session
        // pg_dump's ACL lines only revoke relative to PostgreSQL's built-in defaults: a Supabase target's default
        // privileges would leave anon EXECUTE on a function the source denies it
        for (Definition d : toCreate) {
            SchemaDrift.privilegesAsOnSource(ctx.targetConnection, d);
        }
    }

    /** Functions and types the target has already (another app, or a half-done earlier install) are not recreated. */
    private static Set<CatalogId> alreadyOnTarget(SyncContext ctx, ArchonSchema archon) throws SQLException {
        Catalog target = new Catalog(ctx.targetConnection);
        long procClass = Sql.queryLong(ctx.sourceConnection, "SELECT 'pg_proc'::regclass::oid");
        long typeClass = Sql.queryLong(ctx.sourceConnection, "SELECT 'pg_type'::regclass::oid");
        Set<CatalogId> skip = new HashSet<>();
        for (Map.Entry<Long, String> f : archon.functions().entrySet()) {
            if (target.functionExists(f.getValue())) {
                skip.add(new CatalogId(procClass, f.getKey()));
                ctx.job.warn("the target already has function " + f.getValue() + ": kept as it is");
            }
        }
        for (Map.Entry<Long, String> t : archon.types().entrySet()) {
            if (target.typeExists(t.getValue())) {
                skip.add(new CatalogId(typeClass, t.getKey()));
                ctx.job.warn("the target already has type " + t.getValue() + ": kept as it is");
            }
        }
        return skip;
    }

    private static String run(SyncContext ctx, PgClient client, String tool, List<String> args, boolean connect)
            throws IOException, InterruptedException {
        ToolProcess.Result r = ToolProcess.run(client, tool, args, connect ? ctx.source : null, null, ctx.cancel());
        ctx.cancel().throwIfCancelled();
        if (r.exitCode() != 0) {
            throw new IOException(tool + " of the source's schema failed (exit " + r.exitCode() + "): " + r.stderr());
        }
        return r.stdoutText();
    }

    /**
     * pg_restore's plain output is meant for psql. Removed, by exact statement (never by a line's first
     * character, which may be inside a comment or a function body): psql's restrict/unrestrict meta-command
     * pair with the dump's own key, and the {@code SET transaction_timeout} a 17 client writes and an older
     * server rejects.
     */
    static String forServer(String dump, int serverVersionNum) {
        String key = null;
        StringBuilder out = new StringBuilder(dump.length());
        for (String line : dump.split("\n", -1)) {
            var m = RESTRICT.matcher(line);
            if (key == null && m.matches()) {
                key = m.group(1);
                continue;
            }
            if (key != null && line.equals("\\" + "unrestrict " + key)) {
                continue;
            }
            if (serverVersionNum < 170000 && line.equals("SET transaction_timeout = 0;")) {
                continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
