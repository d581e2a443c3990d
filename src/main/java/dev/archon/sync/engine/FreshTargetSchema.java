package dev.archon.sync.engine;

import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import dev.archon.sync.pg.ToolProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Creates the synced tables on a target that has none of them (a fresh machine, disaster recovery),
 * from the source's schema: pg_dump --schema-only of exactly the set, without owners or privileges,
 * plus what a table dump does not carry (the enum types and trigger functions the tables use).
 * The DDL runs inside the load transaction, so a failed sync leaves no half-created schema.
 */
final class FreshTargetSchema {
    private FreshTargetSchema() {
    }

    /** Exporting: the DDL, read from the source. */
    static String export(SyncContext ctx) throws SQLException, IOException, InterruptedException {
        PgClient client = ctx.plan.schemaClient();
        List<TableName> tables = ctx.plan.tableNames();
        Catalog source = new Catalog(ctx.sourceConnection);
        StringBuilder ddl = new StringBuilder();
        Catalog target = new Catalog(ctx.targetConnection);
        for (Map.Entry<String, String> type : source.enumTypeDefinitions(tables).entrySet()) {
            if (!target.typeExists(type.getKey())) {
                ddl.append(type.getValue()).append(";\n");
            }
        }
        for (Map.Entry<String, String> fn : source.triggerFunctionDefinitions(tables).entrySet()) {
            if (!target.functionExists(fn.getKey())) {
                ddl.append(fn.getValue()).append(";\n");
            }
        }
        List<String> args = new ArrayList<>(List.of("--schema-only", "--no-owner", "--no-privileges", "--format=plain"));
        for (TableName t : tables) {
            args.add("--table=" + Sql.ident(t.schema()) + "." + Sql.ident(t.name()));
        }
        Path file = ctx.workDir().resolve("source-schema.sql");
        ToolProcess.Result r = ToolProcess.run(client, "pg_dump", args, ctx.source, file, ctx.cancel());
        ctx.cancel().throwIfCancelled();
        if (r.exitCode() != 0) {
            throw new IOException("pg_dump --schema-only of the source failed (exit " + r.exitCode() + "): " + r.stderr());
        }
        ddl.append(forServer(Files.readString(file), ctx.plan.targetServerVersion()));
        return ddl.toString();
    }

    /** Importing: run it in the target transaction. */
    static void create(SyncContext ctx, String ddl) throws SQLException {
        Sql.exec(ctx.targetConnection, "SET LOCAL check_function_bodies = false");
        Sql.exec(ctx.targetConnection, ddl);
        Sql.exec(ctx.targetConnection, "RESET search_path"); // pg_dump's script empties it for the session
    }

    /**
     * pg_dump's plain output is meant for psql: drop psql meta-commands (\restrict, \connect) and the
     * settings an older server rejects (a 17 pg_dump always writes transaction_timeout, unknown to 15).
     */
    static String forServer(String dump, int serverVersionNum) {
        return dump.lines()
                .filter(l -> !l.startsWith("\\"))
                .filter(l -> serverVersionNum >= 170000 || !l.startsWith("SET transaction_timeout"))
                .collect(Collectors.joining("\n"));
    }
}
