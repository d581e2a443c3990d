package dev.archon.sync.engine.backup;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncReport;
import dev.archon.sync.engine.load.TargetLoad;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.ToolProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The restore's row source for a pg_dump backup: {@code pg_restore --data-only -f -} turns the archive into
 * a script, of which only the COPY data of the restore's tables is loaded, inside the same target
 * transaction as a sync's load (pg_restore itself never connects, so any pg_restore that can read the
 * archive will do, whatever the server's version). Nothing else of the script runs: the COPY statement is
 * written here from the table's own name and a plain column list, the sequences come from the manifest
 * ({@link SequenceSync}), and a COPY block of a table the restore does not cover fails it (rolled back).
 */
public final class ArchiveRows {
    private static final String COPY_END = "\\.";
    /** {@code COPY schema.table (col, "Col 2") FROM stdin;} as pg_dump writes it: names, quoted or not, nothing else. */
    private static final String IDENT = "(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    private static final Pattern COPY_LINE = Pattern.compile("^COPY (" + IDENT + "\\." + IDENT + ") (\\(" + IDENT + "(?:, " + IDENT
            + ")*\\)) FROM stdin;$");

    /** pg_dump's setval line; run (with our own statement) only for a sequence one of the restore's tables owns. */
    private static final Pattern SETVAL = Pattern.compile("^SELECT pg_catalog\\.setval\\('((?:[^']|'')+)', (-?\\d+), (true|false)\\);$");

    private ArchiveRows() {
    }

    public static TargetLoad.RowSource of(Path archive, PgClient client) {
        return ctx -> load(ctx, archive, client);
    }

    private static void load(SyncContext ctx, Path archive, PgClient client) throws Exception {
        Map<String, TablePlan> byName = ctx.plan.tables().stream().collect(Collectors.toMap(t -> t.table().sql(), t -> t));
        List<TablePlan> tables = ctx.plan.tables();
        long totalRows = Math.max(1, ctx.plan.totalRows());
        long doneRows = 0;
        int index = 0;
        try (ToolProcess.Streaming restore = ToolProcess.stream(client, "pg_restore",
                List.of("--data-only", "--file=-", archive.toString()), ctx.cancel());
                BufferedReader in = new BufferedReader(new InputStreamReader(restore.stdout(), StandardCharsets.UTF_8), 1 << 16)) {
            java.util.Set<String> owned = new java.util.HashSet<>();
            for (var o : new dev.archon.sync.pg.Catalog(ctx.targetConnection).ownedSequences(ctx.plan.tableNames())) {
                owned.add(Sql.queryString(ctx.targetConnection, "SELECT to_regclass(?)::oid::text", o.sequence()));
            }
            String line;
            while ((line = in.readLine()) != null) {
                ctx.cancel().throwIfCancelled();
                Matcher setval = SETVAL.matcher(line);
                if (setval.matches()) {
                    // manifests of pg_dump backups carry no sequences: the archive's value, for the restore's own sequences only
                    String oid = Sql.queryString(ctx.targetConnection, "SELECT to_regclass(?)::oid::text", setval.group(1).replace("''", "'"));
                    if (oid != null && owned.contains(oid)) {
                        Sql.queryString(ctx.targetConnection, "SELECT setval(?::oid::regclass, ?, ?)::text", Long.parseLong(oid),
                                Long.parseLong(setval.group(2)), Boolean.parseBoolean(setval.group(3)));
                    }
                    continue;
                }
                if (!line.startsWith("COPY ")) {
                    continue; // settings, comments, anything else: none of the archive's statements run
                }
                Matcher copy = COPY_LINE.matcher(line);
                TablePlan t = copy.matches() ? byName.get(tableOf(line)) : null;
                if (t == null) {
                    throw new IOException("the backup's archive holds rows of " + (copy.matches() ? tableOf(line) : "an unreadable COPY statement")
                            + ", which this restore does not cover (its manifest does not name it); nothing was restored");
                }
                String name = t.table().toString();
                index++;
                ctx.job.tableStarted(name, (double) doneRows / totalRows, String.format("Restoring %s (table %d/%d)", name, index, tables.size()));
                long start = System.nanoTime();
                long rows = copyBlock(ctx, in, "COPY " + t.table().sql() + " " + copy.group(2) + " FROM STDIN", name, t, doneRows, totalRows);
                doneRows += rows;
                ctx.job.tableDone(new SyncReport.TableResult(name, t.sourceRows(), t.targetRowsBefore(), rows, 0,
                        (System.nanoTime() - start) / 1e9, "text", true, t.why()));
            }
            ToolProcess.Result r = restore.finish();
            ctx.cancel().throwIfCancelled();
            if (r.exitCode() != 0) {
                throw new IOException("pg_restore could not read the backup (exit " + r.exitCode() + "): " + r.stderr());
            }
        }
    }

    /** Streams one COPY block's lines into the target; returns the rows the server loaded. */
    private static long copyBlock(SyncContext ctx, BufferedReader in, String copySql, String name, TablePlan t,
            long doneBefore, long totalRows) throws IOException, SQLException {
        CopyIn copy = ctx.targetConnection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            long rows = 0;
            long reported = 0;
            long last = System.nanoTime();
            String line;
            while ((line = in.readLine()) != null && !line.equals(COPY_END)) {
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(bytes, 0, bytes.length);
                rows++;
                if (System.nanoTime() - last > 200_000_000L) {
                    ctx.cancel().throwIfCancelled();
                    ctx.job.rowsMoved(rows - reported, 0, (double) (doneBefore + rows) / totalRows,
                            TargetLoad.rowsMessage("Restoring", name, 0, 0, rows, t == null ? rows : t.sourceRows()));
                    reported = rows;
                    last = System.nanoTime();
                }
            }
            long loaded = copy.endCopy();
            ctx.job.rowsMoved(loaded - reported, 0, (double) (doneBefore + loaded) / totalRows, null);
            return loaded;
        } catch (IOException | SQLException | RuntimeException e) {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
            throw e;
        }
    }

    /** {@code COPY public.archon_sources (a, b) FROM stdin;} → {@code public.archon_sources} as pg_dump quotes it. */
    static String tableOf(String copyLine) {
        String rest = copyLine.substring("COPY ".length());
        int paren = rest.indexOf(" (");
        String name = paren < 0 ? rest.substring(0, rest.indexOf(' ')) : rest.substring(0, paren);
        // pg_dump quotes only where needed; compare in our always-quoted form
        int dot = name.indexOf('.');
        return Sql.ident(unquote(name.substring(0, dot))) + "." + Sql.ident(unquote(name.substring(dot + 1)));
    }

    private static String unquote(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
    }
}
