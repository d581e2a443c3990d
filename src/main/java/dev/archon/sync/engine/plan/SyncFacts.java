package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.schema.ArchonMigrations;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a sync's preflight reads from both catalogs before it judges anything (the source in its snapshot, the
 * target only read). Every check takes these facts and returns its refusals.
 *
 * @param fresh           the target has none of the synced tables: all are created from the source's schema
 * @param missingOnSource tables of the set the source lacks (a pinned list naming what is not there)
 * @param missingOnTarget tables of the set an existing target lacks (another Archon version there)
 * @param schemaClient    pg_dump for reading the source's schema (a fresh target, or tables to create)
 * @param schemaChanges   how Archon's functions, views, policies and triggers differ on an existing target (issue 12)
 */
record SyncFacts(SyncContext ctx, TargetTransaction tx, Catalog source, Catalog target, TableSet set, boolean fresh,
        List<TableName> missingOnSource, List<TableName> missingOnTarget, int sourceVersion, int targetVersion,
        Optional<PgClient> schemaClient, Map<TableName, List<Column>> sourceColumns,
        Map<TableName, List<Column>> targetColumns, ArchonMigrations migrations, List<SchemaDrift.Change> schemaChanges) {

    static SyncFacts read(SyncContext ctx, TargetTransaction tx) throws SQLException {
        Catalog source = new Catalog(ctx.sourceConnection);
        Catalog target = new Catalog(ctx.targetConnection);
        TableSet set = ctx.tables;
        List<TableName> tables = set.synced();
        Set<TableName> onSource = source.existingTables(tables);
        Set<TableName> onTarget = target.existingTables(tables);
        boolean fresh = onTarget.isEmpty();
        int sourceVersion = source.serverVersionNum();
        String schema = ctx.settings.tables().schema();
        List<TableName> missingOnTarget = fresh ? List.of() : tables.stream().filter(t -> !onTarget.contains(t)).toList();
        List<TableName> notCompared = new java.util.ArrayList<>(missingOnTarget);
        notCompared.addAll(set.oneSided()); // a table only one side has, left out: what is on it is no drift
        List<SchemaDrift.Change> drift = fresh ? List.of()
                : SchemaDrift.between(ctx.sourceConnection, ctx.targetConnection, tables, notCompared);
        return new SyncFacts(ctx, tx, source, target, set, fresh, tables.stream().filter(t -> !onSource.contains(t)).toList(),
                missingOnTarget, sourceVersion, target.serverVersionNum(), ctx.settings.clients().forDump(sourceVersion / 10000),
                source.columns(tables), target.columns(tables),
                new ArchonMigrations(source.archonMigrations(schema), target.archonMigrations(schema)), drift);
    }

    List<TableName> tables() {
        return set.synced();
    }

    /** The tables the sync creates in its load transaction: all on a fresh target, those it lacks with "schema": true. */
    List<TableName> created() {
        if (fresh) {
            return tables();
        }
        return ctx.job.request().schema() ? missingOnTarget : List.of();
    }

    /** The synced tables the target has now. */
    List<TableName> onTarget() {
        return fresh ? List.of() : tables().stream().filter(t -> !missingOnTarget.contains(t)).toList();
    }
}
