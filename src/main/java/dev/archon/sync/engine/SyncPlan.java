package dev.archon.sync.engine;

import dev.archon.sync.pg.CatalogModel.SequenceState;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sync will do, decided in preflight from the source snapshot and the target's catalog.
 *
 * @param tables      in FK-dependency order (parents first)
 * @param freshTarget the target has none of the tables: create them from the source's schema first
 */
public record SyncPlan(Direction direction, String source, String target, int sourceServerVersion,
        int targetServerVersion, PgClient schemaClient, boolean freshTarget, List<TablePlan> tables,
        List<SequencePlan> sequences) {

    public enum CopyFormat { BINARY, TEXT }

    /**
     * @param columns           the columns COPY moves, generated ones left out (the target computes them)
     * @param reload            truncated and loaded; false: identical on both sides, left alone
     * @param why               why it is reloaded or not: {@link #DIFFERS}, {@link #FRESH_TARGET},
     *                          "truncated with its parent …", {@link #FULL}, {@link #UNCHANGED}, "restore"
     * @param sourceFingerprint what the source holds (null for a restore)
     * @param sourceFingerprintSeconds how long the source took to fingerprint it (0 where not computed: a
     *                          fresh target, a restore, or the last sync's record still holds); the target's ran at
     *                          the same time on its own server
     * @param sourceVersions    the source's {@link RowVersions} in the sync's snapshot (null: restore)
     * @param targetVersions    the target's {@link RowVersions} when the plan was made (null: fresh target, restore)
     */
    public record TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows,
            long targetRowsBefore, long sourceBytes, boolean reload, String why, TableFingerprint sourceFingerprint,
            double sourceFingerprintSeconds, double targetFingerprintSeconds, String sourceVersions, String targetVersions) {

        /** A table that is reloaded whatever it holds (a restore). */
        public TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows, long targetRowsBefore,
                long sourceBytes) {
            this(table, columns, format, sourceRows, targetRowsBefore, sourceBytes, true, "restore", null, 0, 0, null, null);
        }

        public Decision decision() {
            return new Decision(table.toString(), reload, why, sourceRows, targetRowsBefore, sourceFingerprintSeconds,
                    targetFingerprintSeconds);
        }
    }

    public static final String UNCHANGED = "unchanged";
    public static final String DIFFERS = "differs";
    public static final String FRESH_TARGET = "fresh target";
    public static final String FULL = "full replace requested";

    /**
     * What happens to one table and why, as the progress object, the report and the history show it.
     *
     * @param reload false: equal on both sides (fingerprints), left alone — not truncated, loaded or re-indexed
     */
    public record Decision(String table, boolean reload, String why, long sourceRows, long targetRowsBefore,
            double sourceFingerprintSeconds, double targetFingerprintSeconds) {
    }

    /** A sequence owned by a synced column and the source's value of it, taken in the snapshot. */
    public record SequencePlan(TableName table, String column, String sourceSequence, SequenceState value) {
    }

    /** The rows to load: those of the reloaded tables. */
    public long totalRows() {
        return reloaded().stream().mapToLong(TablePlan::sourceRows).sum();
    }

    public long totalBytes() {
        return reloaded().stream().mapToLong(TablePlan::sourceBytes).sum();
    }

    /** Every table of the set, reloaded or not. */
    public List<TableName> tableNames() {
        return tables.stream().map(TablePlan::table).toList();
    }

    public List<TablePlan> reloaded() {
        return tables.stream().filter(TablePlan::reload).toList();
    }

    public List<TableName> reloadedNames() {
        return reloaded().stream().map(TablePlan::table).toList();
    }

    public List<TableName> unchangedNames() {
        return tables.stream().filter(t -> !t.reload()).map(TablePlan::table).toList();
    }

    /** Per table, in load order: reloaded or left alone, and why. */
    public List<Decision> decisions() {
        return tables.stream().map(TablePlan::decision).toList();
    }

    /**
     * The decisions in one sentence: "reloaded: a (differs), b (truncated with its parent a); 15 unchanged
     * tables left alone". Tables with the same reason are named together; a long list is counted instead.
     */
    public String decisionSummary(String reloadedVerb, String leftAloneVerb) {
        Map<String, List<String>> byWhy = new LinkedHashMap<>();
        reloaded().forEach(t -> byWhy.computeIfAbsent(t.why(), k -> new ArrayList<>()).add(t.table().toString()));
        List<String> parts = new ArrayList<>();
        byWhy.forEach((why, names) -> parts.add(names.size() > 4
                ? String.format("%d tables (%s)", names.size(), why)
                : String.join(", ", names) + " (" + why + ")"));
        StringBuilder sb = new StringBuilder();
        if (!parts.isEmpty()) {
            sb.append(reloadedVerb.isEmpty() ? "" : reloadedVerb + ": ").append(String.join("; ", parts));
        }
        int unchanged = unchangedNames().size();
        if (unchanged > 0) {
            sb.append(sb.length() == 0 ? "" : "; ").append(unchanged).append(unchanged == 1 ? " unchanged table " : " unchanged tables ")
                    .append(leftAloneVerb);
        }
        return sb.toString();
    }
}
