package dev.archon.sync.engine;

import dev.archon.sync.engine.plan.DataLossGuard;
import dev.archon.sync.engine.plan.TableSet;
import dev.archon.sync.engine.schema.ColumnDrift;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Local and remote side by side, table by table: row counts, column drift, which side has more, and
 * what a sync in each direction would do. Read-only, each side in one snapshot.
 */
public final class DatabaseComparison {

    public record TableComparison(String table, Long localRows, Long remoteRows, String moreOn, List<String> drift,
            String localToRemote, String remoteToLocal) {
    }

    /**
     * @param schemaDrift Archon's functions, views, policies and triggers that differ, or exist on one side only
     *                    (issue 12); a sync refuses over them unless it says {@code "schema": true}
     * @param leftOut     every other {@code archon_*} table, and why a sync leaves it out (per direction where they differ)
     */
    public record Result(String local, String remote, List<TableComparison> tables, String localToRemote,
            String remoteToLocal, List<String> schemaDrift, List<TableSet.LeftOut> leftOut) {
    }

    private DatabaseComparison() {
    }

    public static Result compare(SyncSettings settings) throws SQLException {
        try (Connection local = open(settings.local(), "local"); Connection remote = open(settings.remote(), "remote")) {
            Catalog l = new Catalog(local);
            Catalog r = new Catalog(remote);
            // each direction's set is found on its source
            TableSet toRemote = TableSet.find(l, r, settings.tables());
            TableSet toLocal = TableSet.find(r, l, settings.tables());
            Set<TableName> union = new LinkedHashSet<>(toRemote.synced());
            union.addAll(toLocal.synced());
            List<TableName> tables = List.copyOf(union);
            Set<TableName> onLocal = l.existingTables(tables);
            Set<TableName> onRemote = r.existingTables(tables);
            Map<TableName, List<Column>> lc = l.columns(tables);
            Map<TableName, List<Column>> rc = r.columns(tables);
            List<TableComparison> out = new ArrayList<>();
            Map<TableName, Long> localRows = new LinkedHashMap<>();
            Map<TableName, Long> remoteRows = new LinkedHashMap<>();
            boolean drifted = false;
            for (TableName t : tables) {
                Long lr = onLocal.contains(t) ? l.count(t) : null;
                Long rr = onRemote.contains(t) ? r.count(t) : null;
                localRows.put(t, lr == null ? 0 : lr);
                remoteRows.put(t, rr == null ? 0 : rr);
                List<String> drift = drift(lc.getOrDefault(t, List.of()), rc.getOrDefault(t, List.of()));
                drifted |= !drift.isEmpty();
                String more = lr == null || rr == null ? (lr == null ? "remote" : "local")
                        : lr.equals(rr) ? "equal" : lr > rr ? "local" : "remote";
                out.add(new TableComparison(t.toString(), lr, rr, more, drift,
                        effect(toRemote, t, lr, rr, onRemote.isEmpty()), effect(toLocal, t, rr, lr, onLocal.isEmpty())));
            }
            List<String> schemaDrift = onLocal.isEmpty() || onRemote.isEmpty() ? List.of() : schemaDrift(local, remote,
                    tables.stream().filter(t -> onLocal.contains(t) && onRemote.contains(t)).toList(),
                    tables.stream().filter(t -> !onLocal.contains(t) || !onRemote.contains(t)).toList());
            String l2r = verdict(drifted, toRemote, onLocal, onRemote, localRows, remoteRows);
            String r2l = verdict(drifted, toLocal, onRemote, onLocal, remoteRows, localRows);
            if (!drifted && !schemaDrift.isEmpty()) {
                String needs = "needs \"schema\": true (Archon's functions, views, policies or triggers differ, see schema_drift), then ";
                l2r = onRemote.isEmpty() || l2r.startsWith("refused") ? l2r : needs + l2r;
                r2l = onLocal.isEmpty() || r2l.startsWith("refused") ? r2l : needs + r2l;
            }
            Set<TableSet.LeftOut> leftOut = new LinkedHashSet<>(toRemote.leftOut());
            leftOut.addAll(toLocal.leftOut());
            return new Result(settings.local().toString(), settings.remote().toString(), out, l2r, r2l, schemaDrift,
                    List.copyOf(leftOut));
        }
    }

    /** Said without a direction: "differs", "only on local", "only on remote". */
    private static List<String> schemaDrift(Connection local, Connection remote, List<TableName> tables, List<TableName> oneSided)
            throws SQLException {
        return SchemaDrift.between(local, remote, tables, oneSided).stream().map(c -> c.key() + switch (c.kind()) {
            case DIFFERS -> " differs";
            case MISSING_ON_TARGET -> " exists only on local";
            case ONLY_ON_TARGET -> " exists only on remote";
            case ANOTHER_APPS_ON_TARGET -> " is Archon's on local and another application's on remote (a sync leaves it alone)";
        }).toList();
    }

    /**
     * A comparison's session gives up rather than wait: on logging in, on a lock (a running sync's TRUNCATE holds
     * its tables until COMMIT: the count answers "busy" within {@link #LOCK_WAIT} instead of queueing behind it),
     * on a statement and on a silent server. The caller caps how many comparisons run at once.
     */
    static final java.time.Duration LOGIN_WAIT = java.time.Duration.ofSeconds(10);
    static final java.time.Duration LOCK_WAIT = java.time.Duration.ofSeconds(2);
    static final java.time.Duration STATEMENT_WAIT = java.time.Duration.ofSeconds(30);

    private static Connection open(PgUri uri, String side) throws SQLException {
        try {
            Connection c = uri.connect("archon-db-sync compare", LOGIN_WAIT, STATEMENT_WAIT.plusSeconds(15));
            try {
                dev.archon.sync.pg.Sql.exec(c, "SET lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'");
                dev.archon.sync.pg.Sql.exec(c, "SET statement_timeout = '" + STATEMENT_WAIT.toMillis() + "ms'");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            return c;
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the " + side + " database " + uri + ": " + Redactor.redact(e.getMessage()), e);
        }
    }

    private static List<String> drift(List<Column> local, List<Column> remote) {
        return local.isEmpty() || remote.isEmpty() ? List.of() : ColumnDrift.between(local, remote, "", "local", "remote");
    }

    /** What a sync in that direction does to this table. */
    private static String effect(TableSet set, TableName t, Long source, Long target, boolean freshTarget) {
        if (!set.synced().contains(t)) {
            return set.leftOut().stream().filter(o -> o.table().equals(t.toString())).map(o -> "left out: " + o.why()).findFirst()
                    .orElse("left out");
        }
        if (source == null) {
            return "refused: the table is missing on the source";
        }
        if (target == null) {
            return freshTarget ? String.format("creates the table with %,d rows", source)
                    : String.format("needs \"schema\": true: creates the table with %,d rows", source);
        }
        if (target > source) {
            return String.format("replaces %,d rows with %,d (loses %,d)", target, source, target - source);
        }
        return String.format("replaces %,d rows with %,d", target, source);
    }

    /** The direction's verdict, in agreement with its tables' effects. */
    private static String verdict(boolean drifted, TableSet set, Set<TableName> onSource, Set<TableName> onTarget,
            Map<TableName, Long> sourceRows, Map<TableName, Long> targetRows) {
        List<TableName> missingOnSource = set.synced().stream().filter(t -> !onSource.contains(t)).toList();
        if (!missingOnSource.isEmpty()) {
            return "refused: the source lacks " + Refusals.join(missingOnSource) + " (see ARCHON_SYNC_TABLES)";
        }
        if (drifted) {
            return "refused: the schemas differ (see drift)";
        }
        boolean fresh = set.synced().stream().noneMatch(onTarget::contains);
        if (fresh) {
            return "creates Archon's tables on the target and loads them";
        }
        Map<TableName, Long> src = new LinkedHashMap<>();
        Map<TableName, Long> tgt = new LinkedHashMap<>();
        set.synced().forEach(t -> {
            src.put(t, sourceRows.get(t));
            tgt.put(t, targetRows.get(t));
        });
        List<Refusal> loss = DataLossGuard.check(src, tgt);
        String rows = loss.isEmpty() ? "safe: no table loses rows" : "needs force: " + loss.get(0).message();
        List<TableName> missingOnTarget = set.synced().stream().filter(t -> !onTarget.contains(t)).toList();
        return missingOnTarget.isEmpty() ? rows
                : "needs \"schema\": true (the target lacks " + Refusals.join(missingOnTarget) + "), then " + rows;
    }
}
