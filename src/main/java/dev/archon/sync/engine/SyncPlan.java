package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
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
            double sourceFingerprintSeconds, double targetFingerprintSeconds, String sourceVersions, String targetVersions,
            @JsonIgnore RowDelta delta) {

        /** A table written by a reload (when it is written at all): no row delta. */
        public TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows, long targetRowsBefore,
                long sourceBytes, boolean reload, String why, TableFingerprint sourceFingerprint, double sourceFingerprintSeconds,
                double targetFingerprintSeconds, String sourceVersions, String targetVersions) {
            this(table, columns, format, sourceRows, targetRowsBefore, sourceBytes, reload, why, sourceFingerprint,
                    sourceFingerprintSeconds, targetFingerprintSeconds, sourceVersions, targetVersions, null);
        }

        /** A table that is reloaded whatever it holds (a restore). */
        public TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows, long targetRowsBefore,
                long sourceBytes) {
            this(table, columns, format, sourceRows, targetRowsBefore, sourceBytes, true, "restore", null, 0, 0, null, null);
        }

        /** Written row by row (delete and COPY of the rows that differ) rather than truncated and loaded. */
        public boolean isDelta() {
            return reload && delta != null;
        }

        /** "delta", "reload" or "unchanged". */
        public String action() {
            return !reload ? ACTION_UNCHANGED : delta != null ? ACTION_DELTA : ACTION_RELOAD;
        }

        public Decision decision() {
            return new Decision(table.toString(), reload, why, sourceRows, targetRowsBefore, sourceFingerprintSeconds,
                    targetFingerprintSeconds, action(), isDelta() ? (Long) (long) delta.rowsToInsert() : null,
                    isDelta() ? (Long) (long) delta.rowsToDelete() : null, null);
        }
    }

    public static final String UNCHANGED = "unchanged";
    public static final String DIFFERS = "differs";
    public static final String FRESH_TARGET = "fresh target";
    public static final String FULL = "full replace requested";
    public static final String ACTION_RELOAD = "reload";
    public static final String ACTION_DELTA = "delta";
    public static final String ACTION_UNCHANGED = "unchanged";

    /**
     * What happens to one table and why, as the progress object, the report and the history show it.
     *
     * @param reload false: equal on both sides (fingerprints), left alone — not truncated, loaded or re-indexed
     * @param action   "reload" (truncated and loaded), "delta" (only the rows that differ deleted and copied), "unchanged"
     * @param rowsInserted a delta's rows copied from the source (new or changed); absent otherwise
     * @param rowsDeleted  a delta's target rows deleted (gone from the source or changed); absent otherwise
     * @param bytesSent    bytes of COPY data sent for the table, once known (absent in the plan)
     */
    public record Decision(String table, boolean reload, String why, long sourceRows, long targetRowsBefore,
            double sourceFingerprintSeconds, double targetFingerprintSeconds, String action,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long rowsInserted, @JsonInclude(JsonInclude.Include.NON_NULL) Long rowsDeleted,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long bytesSent) {

        public Decision(String table, boolean reload, String why, long sourceRows, long targetRowsBefore,
                double sourceFingerprintSeconds, double targetFingerprintSeconds) {
            this(table, reload, why, sourceRows, targetRowsBefore, sourceFingerprintSeconds, targetFingerprintSeconds,
                    reload ? ACTION_RELOAD : ACTION_UNCHANGED, null, null, null);
        }

        /** The same decision, with the bytes its COPY sent. */
        public Decision withBytesSent(long bytes) {
            return new Decision(table, reload, why, sourceRows, targetRowsBefore, sourceFingerprintSeconds,
                    targetFingerprintSeconds, action, rowsInserted, rowsDeleted, bytes);
        }
    }

    /** A sequence owned by a synced column and the source's value of it, taken in the snapshot. */
    public record SequencePlan(TableName table, String column, String sourceSequence, SequenceState value) {
    }

    /** The rows to load: those of the reloaded tables. */
    public long totalRows() {
        return reloaded().stream().mapToLong(t -> t.isDelta() ? t.delta().rowsToInsert() : t.sourceRows()).sum();
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

    /** The tables written: reloaded ones and row deltas. */
    public List<TableName> reloadedNames() {
        return reloaded().stream().map(TablePlan::table).toList();
    }

    /** The tables truncated and loaded whole (their indexes rebuilt): written, but not as a row delta. */
    public List<TableName> replacedNames() {
        return reloaded().stream().filter(t -> !t.isDelta()).map(TablePlan::table).toList();
    }

    /** The tables written as a row delta. */
    public List<TablePlan> deltas() {
        return tables.stream().filter(TablePlan::isDelta).toList();
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
        reloaded().stream().filter(t -> !t.isDelta())
                .forEach(t -> byWhy.computeIfAbsent(t.why(), k -> new ArrayList<>()).add(t.table().toString()));
        List<String> parts = new ArrayList<>();
        for (TablePlan t : deltas()) { // "archon_crawled_pages (delta: 2,180 inserted, 2,180 deleted)"
            parts.add(String.format("%s (delta: %,d inserted, %,d deleted)", t.table(), t.delta().rowsToInsert(), t.delta().rowsToDelete()));
        }
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
