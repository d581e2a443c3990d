package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.Notice;
import dev.archon.sync.engine.PreparedSync;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.Refusals;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncSettings;
import dev.archon.sync.engine.delta.DeltaChoice;
import dev.archon.sync.engine.delta.RowDelta;
import dev.archon.sync.engine.plan.SyncPlan.CopyFormat;
import dev.archon.sync.engine.plan.SyncPlan.SequencePlan;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.CatalogModel.OwnedSequence;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A sync's validation, as it runs: find the tables, read the facts, run the checks stage by stage,
 * fingerprint both sides, guard against data loss, decide each table, plan. The target is only read.
 */
final class SyncPreflight {
    private final SyncFacts facts;
    /** The differing tables written as row deltas ({@link DeltaChoice}); every other differing table is reloaded. */
    private Map<TableName, RowDelta> deltas = Map.of();

    private SyncPreflight(SyncFacts facts) {
        this.facts = facts;
    }

    static PreparedSync prepare(SyncJob job, SyncSettings settings) throws SQLException {
        return PreflightSessions.forSync(job, settings, SyncPreflight::plan);
    }

    private static PreflightSessions.Planned plan(SyncContext opened, TargetTransaction tx) throws SQLException {
        TableSet set = TableSet.find(new dev.archon.sync.pg.Catalog(opened.sourceConnection),
                new dev.archon.sync.pg.Catalog(opened.targetConnection), opened.settings.tables());
        opened.job.tablesFound(set.synced().size(), set.leftOut());
        SyncContext ctx = opened.withTables(set);
        SyncFacts facts = SyncFacts.read(ctx, tx);
        for (List<SyncChecks.Check> stage : SyncChecks.BEFORE_READING_ROWS) {
            List<Refusal> refusals = new ArrayList<>();
            for (SyncChecks.Check check : stage) {
                refusals.addAll(check.refusals(facts));
            }
            Refusals.throwIfAny(refusals);
        }
        List<SchemaDrift.Change> schemaChanges = SchemaDrift.toApply(ctx, facts.schemaChanges());
        schemaNotice(facts, schemaChanges).ifPresent(ctx.job::notice);
        return new PreflightSessions.Planned(ctx, new SyncPreflight(facts).planAfterChecks(), schemaChanges);
    }

    /** What DDL the sync runs on the target, said before it runs. */
    private static java.util.Optional<Notice> schemaNotice(SyncFacts facts, List<SchemaDrift.Change> changes) {
        List<String> parts = new ArrayList<>();
        if (facts.fresh()) {
            parts.add("creates Archon's schema on the target as the source has it (" + facts.tables().size()
                    + " tables with their indexes, constraints, triggers, policies and grants, Archon's other tables empty, its views, "
                    + "functions and types)");
        } else if (!facts.created().isEmpty()) {
            parts.add("creates " + Refusals.join(facts.created()) + " on the target as the source has them (indexes, constraints, "
                    + "triggers, policies, grants, and Archon's functions and types the target lacks)");
        }
        if (!changes.isEmpty()) {
            parts.add("brings " + changes.size() + " of Archon's functions, views, policies or triggers along from the source");
        }
        if (parts.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Notice("schema_brought_along", "The sync " + String.join(" and ", parts)
                + ", in its load transaction, and tells Supabase's API to reload its schema (NOTIFY pgrst) at COMMIT"));
    }

    private SyncPlan planAfterChecks() throws SQLException {
        SyncContext ctx = facts.ctx();
        ctx.job.progress(0.5, "Fingerprinting the tables on both sides");
        Fingerprints.Both fingerprints = Fingerprints.take(ctx, facts.tx(), facts.tables(), facts.onTarget(),
                !ctx.job.request().full());
        ctx.cancel().throwIfCancelled();
        Refusals.throwIfAny(SyncChecks.dataLoss(facts, guardStates(fingerprints)));
        DeltaChoice.Choice choice = DeltaChoice.choose(ctx, facts.tx(), facts.onTarget().isEmpty() ? List.of() : facts.tables(),
                fingerprints.source().fingerprints(), fingerprints.target().fingerprints(), fingerprints::bucketsAndRowsOf,
                fingerprints.target().asLastSyncLeft(), facts.fresh() || !facts.created().isEmpty());
        Refusals.throwIfAny(choice.refusals());
        deltas = choice.deltas();
        Map<TableName, TablePlan.Builder> tables = decide(fingerprints);
        return new SyncPlan(ctx.job.request().direction(), false, ctx.source.toString(), ctx.target.toString(),
                facts.sourceVersion(), facts.targetVersion(), facts.schemaClient().orElse(null), facts.fresh(),
                tablePlans(tables, fingerprints), sequencePlans());
    }

    /** What the data-loss guard knows per table: the counts, whether both sides are equal, and the last sync. */
    private Map<TableName, DataLossGuard.TableState> guardStates(Fingerprints.Both f) throws SQLException {
        Map<TableName, TableFingerprint> lastSync = facts.fresh() ? Map.of() : LastSync.recorded(facts.ctx().targetConnection);
        Map<TableName, DataLossGuard.TableState> out = new LinkedHashMap<>();
        for (TableName t : facts.tables()) {
            TableFingerprint src = f.source().of(t);
            TableFingerprint tgt = f.target().of(t);
            TableFingerprint last = lastSync.get(t);
            // the target's row versions are those recorded: it holds what the last sync left, whatever form its digest has
            out.put(t, new DataLossGuard.TableState(src.rows(), tgt == null ? 0 : tgt.rows(), src.equals(tgt),
                    last == null ? null : f.target().asLastSyncLeft().contains(t) || last.equals(tgt)));
        }
        return out;
    }

    /**
     * Which tables are reloaded, and why: those the sync creates, those whose fingerprints differ, and every
     * table referencing one of them (a TRUNCATE of a parent needs its FK children in the same statement; this
     * tool never uses CASCADE); with {@code full}, every table.
     */
    private Map<TableName, TablePlan.Builder> decide(Fingerprints.Both f) throws SQLException {
        Map<TableName, TablePlan.Builder> plans = new LinkedHashMap<>();
        boolean full = facts.ctx().job.request().full();
        List<TableName> created = facts.created();
        for (TableName t : facts.tables()) {
            TablePlan.Builder p = TablePlan.of(t);
            plans.put(t, p);
            if (created.contains(t)) {
                p.reason(facts.fresh() ? ReloadReason.FRESH_TARGET : ReloadReason.CREATED);
            } else if (full) {
                p.reason(ReloadReason.FULL); // every table replaced, so its contents were only counted, not compared
            } else if (!f.source().of(t).equals(f.target().of(t))) {
                p.reason(differing(t));
            }
        }
        List<ForeignKey> fks = facts.fresh() ? List.of() : facts.target().foreignKeysTouching(facts.onTarget());
        Map<TableName, ReloadReason> decided = new LinkedHashMap<>();
        plans.forEach((t, p) -> decided.put(t, p.build().reason()));
        for (boolean grew = true; grew; ) {
            grew = false;
            for (ForeignKey fk : fks) {
                ReloadReason parent = decided.get(fk.parent());
                // a row delta truncates nothing: its children are decided on their own
                if (parent != null && parent.reload() && !deltas.containsKey(fk.parent())
                        && decided.get(fk.child()) == ReloadReason.UNCHANGED) {
                    plans.get(fk.child()).truncatedWith(fk.parent());
                    decided.put(fk.child(), ReloadReason.WITH_PARENT);
                    grew = true;
                }
            }
        }
        return plans;
    }

    /**
     * The one place a table whose fingerprints differ is decided: it differs either way; {@link DeltaChoice} has
     * chosen whether its rows are written as a delta (its {@link RowDelta} rides on the plan) or reloaded whole.
     */
    private ReloadReason differing(TableName table) {
        return ReloadReason.DIFFERS;
    }

    private List<TablePlan> tablePlans(Map<TableName, TablePlan.Builder> decided, Fingerprints.Both f) throws SQLException {
        Map<TableName, List<Column>> sourceColumns = facts.sourceColumns();
        List<TablePlan> plans = new ArrayList<>();
        for (TableName t : LoadOrder.of(facts.tables(), facts.source().foreignKeysTouching(facts.tables()))) {
            List<Column> cols = sourceColumns.get(t).stream().filter(c -> !c.generated()).toList();
            // a table the sync creates gets the source's columns
            List<Column> onTarget = facts.targetColumns().containsKey(t) ? facts.targetColumns().get(t) : sourceColumns.get(t);
            Map<String, Column> tgtCols = onTarget.stream().collect(Collectors.toMap(Column::name, Function.identity()));
            boolean binary = cols.stream().allMatch(c -> c.binarySafe() && tgtCols.get(c.name()).binarySafe());
            TableFingerprint src = f.source().of(t);
            TableFingerprint tgt = f.target().of(t);
            plans.add(decided.get(t).columns(cols.stream().map(Column::name).toList())
                    .format(binary ? CopyFormat.BINARY : CopyFormat.TEXT)
                    .sourceRows(src.rows()).targetRowsBefore(tgt == null ? 0 : tgt.rows()).sourceBytes(facts.source().dataBytes(t))
                    .sourceFingerprint(src, f.source().seconds().getOrDefault(t, 0.0))
                    .targetFingerprintSeconds(f.target().seconds().getOrDefault(t, 0.0))
                    .rowVersions(f.source().versions().get(t), f.target().versions().get(t))
                    .delta(decided.get(t).build().reason() == ReloadReason.DIFFERS ? deltas.get(t) : null)
                    .buckets(f.bucketsOf(t)).build());
        }
        return plans;
    }

    private List<SequencePlan> sequencePlans() throws SQLException {
        List<SequencePlan> sequences = new ArrayList<>();
        for (OwnedSequence s : facts.source().ownedSequences(facts.tables())) {
            sequences.add(new SequencePlan(s.table(), s.column(), s.sequence(), facts.source().sequenceState(s.sequence())));
        }
        return sequences;
    }
}
