package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.Refusals;
import dev.archon.sync.engine.backup.WritableDirectory;
import dev.archon.sync.engine.schema.ColumnDrift;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.engine.schema.TargetPrerequisites;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sync's reasons not to start, each a check of one shape — the facts in, its refusals out — run in the
 * order of {@link #BEFORE_READING_ROWS}: first whether the tables are there at all, then everything about
 * their schema, constraints and the target, so the user gets every refusal of a stage at once.
 */
final class SyncChecks {
    @FunctionalInterface
    interface Check {
        List<Refusal> refusals(SyncFacts facts) throws SQLException;
    }

    /** Stages: a stage's refusals stop preflight before the next stage reads anything. */
    static final List<List<Check>> BEFORE_READING_ROWS = List.of(
            List.of(SyncChecks::tablesOnBothSides, SyncChecks::clientForTheSchema),
            List.of(SyncChecks::columnsMatch, SyncChecks::foreignKeys, SyncChecks::targetPrerequisites,
                    SyncChecks::schemaDrift, SyncChecks::replicationRole, SyncChecks::backupFits, SyncChecks::workDirWritable));

    private SyncChecks() {
    }

    static List<Refusal> tablesOnBothSides(SyncFacts f) {
        List<Refusal> out = new ArrayList<>();
        if (f.tables().isEmpty()) {
            return List.of(new Refusal("no_tables", "there is nothing to sync: the source (" + f.ctx().source + ") has no archon_* "
                    + "table in schema " + f.ctx().settings.tables().schema() + " that ARCHON_SYNC_TABLES and ARCHON_SYNC_EXCLUDE "
                    + "leave in the set. Is Archon's schema installed there?"));
        }
        if (!f.missingOnSource().isEmpty()) {
            out.add(new Refusal("table_missing_on_source", "the source (" + f.ctx().source + ") lacks synced table(s) "
                    + Refusals.join(f.missingOnSource()) + ", which ARCHON_SYNC_TABLES names: take them out of ARCHON_SYNC_TABLES, "
                    + "or unset it to sync the Archon tables the source has." + f.migrations().explain()));
        }
        if (!f.missingOnTarget().isEmpty() && !f.ctx().job.request().schema()) {
            out.add(new Refusal("table_missing_on_target", "the target (" + f.ctx().target + ") has some of Archon's tables but lacks "
                    + Refusals.join(f.missingOnTarget()) + "." + f.migrations().explain() + " Or sync with the schema brought along ("
                    + SchemaDrift.HOW_TO_BRING_IT + ") to create them in the same transaction"));
        }
        return out;
    }

    /** Only creating tables needs a client tool: their schema is the source's, read by a pg_dump not older than the source. */
    static List<Refusal> clientForTheSchema(SyncFacts f) {
        int major = f.sourceVersion() / 10000;
        if (f.created().isEmpty() || f.schemaClient().isPresent()) {
            return List.of();
        }
        return List.of(new Refusal("client_too_old", (f.fresh() ? "the target has none of Archon's tables" : "the target lacks "
                + Refusals.join(f.created())) + ", so their schema is read from the source with pg_dump, and there is no PostgreSQL "
                + "client of major version " + major + " or newer (the source is " + major + "; found: "
                + f.ctx().settings.clients().describe() + "): install postgresql-client-" + major
                + " or point ARCHON_SYNC_PG_BIN at its bin directory"));
    }

    static List<Refusal> columnsMatch(SyncFacts f) {
        List<String> drift = new ArrayList<>();
        for (TableName t : f.onTarget()) {
            List<Column> src = f.sourceColumns().getOrDefault(t, List.of());
            drift.addAll(ColumnDrift.between(src, f.targetColumns().getOrDefault(t, List.of()), t + ".", "source", "target"));
        }
        if (drift.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal("column_drift", "the two schemas differ (" + drift.size() + " column(s)): "
                + String.join("; ", drift) + ". Bring both to the same Archon migration first." + f.migrations().explain()));
    }

    /** Both directions; a fresh target's foreign keys are the source's (its tables are created as the source has them). */
    static List<Refusal> foreignKeys(SyncFacts f) throws SQLException {
        return ForeignKeyChecks.check(f.ctx(), f.tx(), f.set(), f.source(), f.fresh() ? f.source() : f.target(), f.target());
    }

    /** Extensions, schemas, functions, roles (issue 12). */
    static List<Refusal> targetPrerequisites(SyncFacts f) throws SQLException {
        List<Refusal> out = new ArrayList<>();
        TargetPrerequisites.check(f.ctx(), f.fresh(), out);
        return out;
    }

    /** Archon's functions, views, policies, triggers (issue 12): refused unless the schema is brought along. */
    static List<Refusal> schemaDrift(SyncFacts f) {
        return SchemaDrift.refusals(f.ctx(), f.schemaChanges());
    }

    static List<Refusal> replicationRole(SyncFacts f) {
        return replicationRole(f.tx());
    }

    /** The load needs session_replication_role = replica so that Archon's triggers do not rewrite rows. */
    static List<Refusal> replicationRole(TargetTransaction tx) {
        try {
            tx.rehearse("SET LOCAL session_replication_role = replica");
            return List.of();
        } catch (SQLException e) {
            return List.of(new Refusal("replication_role_denied", "the target role may not set session_replication_role, "
                    + "which the load needs so that Archon's triggers do not rewrite rows: " + e.getMessage()
                    + " (on Supabase use the postgres role)"));
        }
    }

    static List<Refusal> backupFits(SyncFacts f) throws SQLException {
        List<Refusal> out = new ArrayList<>();
        BackupPreflight.check(f.ctx(), f.target(), f.onTarget(), f.fresh(), out);
        return out;
    }

    /** A schema to create is dumped into the work directory first. */
    static List<Refusal> workDirWritable(SyncFacts f) {
        if (f.created().isEmpty()) {
            return List.of();
        }
        return WritableDirectory.work(f.ctx().settings.workDir()).whyNotWritable()
                .map(why -> List.of(new Refusal("work_dir_unwritable", why))).orElse(List.of());
    }

    /** The data-loss guard, once both sides are fingerprinted (unless the user forces). */
    static List<Refusal> dataLoss(SyncFacts f, Map<TableName, DataLossGuard.TableState> states) {
        return f.ctx().job.request().force() ? List.of() : DataLossGuard.check(states);
    }
}
