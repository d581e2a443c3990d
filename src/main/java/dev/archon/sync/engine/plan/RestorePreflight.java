package dev.archon.sync.engine.plan;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.PreparedSync;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.Refusals;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncSettings;
import dev.archon.sync.engine.plan.SyncPlan.SequencePlan;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.CatalogModel;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A restore's validation: the target must have the tables the backup holds rows for, with their columns;
 * nothing outside them may reference them; the backup must be readable; and, unless forced, no rows the
 * backup lacks are lost. The backup supplies the rows, so there is no source to read.
 */
final class RestorePreflight {
    private final SyncContext ctx;
    private final Catalog target;
    private final BackupManifest backup;
    private final List<TableName> tables;
    private final String side;

    private RestorePreflight(SyncContext ctx, BackupManifest backup) {
        this.ctx = ctx;
        this.target = new Catalog(ctx.targetConnection);
        this.backup = backup;
        this.tables = backup.tables().keySet().stream().map(TableName::parse).toList();
        this.side = ctx.job.request().direction().targetName();
    }

    static PreparedSync prepare(SyncJob job, SyncSettings settings, BackupManifest backup) throws SQLException {
        return PreflightSessions.forRestore(job, settings, backup, (ctx, tx) -> new RestorePreflight(ctx, backup).plan(tx));
    }

    private SyncPlan plan(TargetTransaction tx) throws SQLException {
        int targetVersion = target.serverVersionNum();
        if (!backup.endpoint().equals(ctx.target.endpoint())) {
            ctx.job.warn("the backup was taken of " + backup.endpoint() + " and is restored into " + ctx.target.endpoint());
        }
        Optional<PgClient> reader = backup.isTableFiles() ? Optional.empty()
                : ctx.settings.clients().forRestore(backup.dumpMajor(), targetVersion / 10000);
        List<Refusal> refusals = new ArrayList<>();
        List<TableName> missing = missingOnTarget();
        refusals.addAll(tablesPresent(missing));
        refusals.addAll(readable(reader));
        if (backup.isTableFiles() && missing.isEmpty()) {
            refusals.addAll(columnsLoadable());
        }
        Refusals.throwIfAny(refusals);
        refusals.addAll(ForeignKeyChecks.fromOutside(tables, target.foreignKeysTouching(tables), "ARCHON_SYNC_TABLES"));
        if (target.extensionSchema("vector").isEmpty()) {
            refusals.add(new Refusal("vector_missing_on_target", "the " + side + " database has no 'vector' extension"));
        }
        refusals.addAll(SyncChecks.replicationRole(tx));
        Refusals.throwIfAny(refusals);

        List<TablePlan> plans = new ArrayList<>();
        Map<TableName, Long> backupRows = new LinkedHashMap<>();
        Map<TableName, Long> targetRows = new LinkedHashMap<>();
        for (TableName t : tables) {
            long rows = backup.tables().get(t.toString());
            long now = target.count(t);
            backupRows.put(t, rows);
            targetRows.put(t, now);
            plans.add(TablePlan.of(t).reason(ReloadReason.RESTORE).sourceRows(rows).targetRowsBefore(now)
                    .sourceBytes(Math.max(1, rows)).build());
        }
        if (!ctx.job.request().force()) {
            // a restore replaces rows like a sync: rows the backup lacks would be lost unless the user confirms
            Refusals.throwIfAny(DataLossGuard.check(backupRows, targetRows));
        }
        List<SequencePlan> sequences = backup.sequences().stream().map(s -> new SequencePlan(TableName.parse(s.table()),
                s.column(), "", new CatalogModel.SequenceState(s.lastValue(), s.isCalled()))).toList();
        return new SyncPlan(ctx.job.request().direction(), true, "backup " + backup.id(), ctx.target.toString(),
                backup.serverVersion(), targetVersion, reader.orElse(null), false, plans, sequences);
    }

    private List<TableName> missingOnTarget() throws SQLException {
        Set<TableName> onTarget = target.existingTables(tables);
        return tables.stream().filter(t -> !onTarget.contains(t)).toList();
    }

    private List<Refusal> tablesPresent(List<TableName> missing) {
        if (missing.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal("table_missing_on_target", "the " + side + " database lacks " + Refusals.join(missing)
                + ", which the backup holds rows for: run Archon's migrations there first"));
    }

    private List<Refusal> readable(Optional<PgClient> reader) {
        if (backup.isTableFiles() || reader.isPresent()) {
            return List.of();
        }
        return List.of(new Refusal("client_too_old", "the backup was written by pg_dump " + backup.dumpMajor()
                + " and needs pg_restore " + backup.dumpMajor() + " or newer to read it (found: "
                + ctx.settings.clients().describe() + ")"));
    }

    /**
     * Table files are loaded by COPY with the backup's column lists: each column must still be there (and not
     * generated); a column the target gained since must be nullable or have a default, as for any COPY.
     */
    private List<Refusal> columnsLoadable() throws SQLException {
        Map<TableName, List<Column>> now = target.columns(tables);
        List<Refusal> out = new ArrayList<>();
        for (BackupManifest.TableFile f : backup.files()) {
            TableName t = TableName.parse(f.table());
            Set<String> loadable = now.getOrDefault(t, List.of()).stream().filter(c -> !c.generated()).map(Column::name)
                    .collect(Collectors.toSet());
            List<String> gone = f.columns().stream().filter(c -> !loadable.contains(c)).toList();
            if (!gone.isEmpty()) {
                out.add(new Refusal("backup_columns_differ", "the backup holds column(s) " + String.join(", ", gone) + " of "
                        + t + ", which the target no longer has (or now generates): the schema changed since the backup"));
            }
        }
        return out;
    }
}
