package dev.archon.sync.engine.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.delta.BucketsRead;
import dev.archon.sync.engine.delta.RowDelta;
import dev.archon.sync.engine.delta.TableBuckets;
import dev.archon.sync.pg.CatalogModel.SequenceState;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sync or a restore will do, decided in preflight from the source snapshot (or the backup) and the
 * target's catalog.
 *
 * @param restore     the rows come from a backup ({@link #source} names it), not from a source database
 * @param tables      in FK-dependency order (parents first)
 * @param freshTarget the target has none of the tables: create them from the source's schema first
 */
public record SyncPlan(Direction direction, boolean restore, String source, String target, int sourceServerVersion,
        int targetServerVersion, PgClient schemaClient, boolean freshTarget, List<TablePlan> tables,
        List<SequencePlan> sequences) {

    public enum CopyFormat { BINARY, TEXT }

    /**
     * One table's part of the plan; built by name with {@link #of}.
     *
     * @param columns           the columns COPY moves, generated ones left out (the target computes them)
     * @param reason            why it is reloaded or left alone ({@link ReloadReason#UNCHANGED}: identical on both
     *                          sides, not truncated, loaded or re-indexed)
     * @param parent            for {@link ReloadReason#WITH_PARENT}: the parent it is truncated with
     * @param sourceFingerprint what the source holds (null for a restore)
     * @param sourceFingerprintSeconds how long the source took to fingerprint it (0 where not computed: a
     *                          fresh target, a restore, or the last sync's record still holds); the target's ran at
     *                          the same time on its own server
     * @param sourceVersions    the source's {@link RowVersions} in the sync's snapshot (null: restore)
     * @param targetVersions    the target's {@link RowVersions} when the plan was made (null: fresh target, restore)
     * @param delta             a differing table written row by row: the rows to delete and to copy (null: reloaded whole)
     * @param buckets           what preflight saw of it by its buckets (null: not read by them), remembered for the next sync
     */
    public record TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows,
            long targetRowsBefore, long sourceBytes, @JsonIgnore ReloadReason reason, @JsonIgnore TableName parent,
            TableFingerprint sourceFingerprint, double sourceFingerprintSeconds, double targetFingerprintSeconds,
            String sourceVersions, String targetVersions, @JsonIgnore RowDelta delta, @JsonIgnore TableBuckets buckets) {

        public static Builder of(TableName table) {
            return new Builder(table);
        }

        /** Truncated and loaded; false: identical on both sides, left alone. */
        @JsonProperty("reload")
        public boolean reload() {
            return reason.reload();
        }

        /** The reason in words, as the progress object and the history say it. */
        @JsonProperty("why")
        public String why() {
            return reason.why(parent);
        }

        /** Its contents were read on the source or the target (its row versions there were not those last recorded). */
        public boolean readOnEitherSide() {
            return sourceFingerprintSeconds > 0 || targetFingerprintSeconds > 0;
        }

        /** Written row by row (delete and COPY of the rows that differ) rather than truncated and loaded. */
        public boolean isDelta() {
            return reload() && delta != null;
        }

        /** "delta", "reload" or "unchanged". */
        public String action() {
            return !reload() ? ACTION_UNCHANGED : delta != null ? ACTION_DELTA : ACTION_RELOAD;
        }

        public Decision decision() {
            return new Decision(table.toString(), reload(), why(), sourceRows, targetRowsBefore, sourceFingerprintSeconds,
                    targetFingerprintSeconds, action(), isDelta() ? (Long) (long) delta.rowsToInsert() : null,
                    isDelta() ? (Long) (long) delta.rowsToDelete() : null, null, buckets == null ? null : buckets.read());
        }

        /** A table plan by name: every part not set is empty, zero or null. */
        public static final class Builder {
            private final TableName table;
            private List<String> columns = List.of();
            private CopyFormat format = CopyFormat.TEXT;
            private long sourceRows;
            private long targetRowsBefore;
            private long sourceBytes;
            private ReloadReason reason = ReloadReason.UNCHANGED;
            private TableName parent;
            private TableFingerprint sourceFingerprint;
            private double sourceFingerprintSeconds;
            private double targetFingerprintSeconds;
            private String sourceVersions;
            private String targetVersions;
            private RowDelta delta;
            private TableBuckets buckets;

            private Builder(TableName table) {
                this.table = table;
            }

            public Builder columns(List<String> c) { columns = List.copyOf(c); return this; }
            public Builder format(CopyFormat f) { format = f; return this; }
            public Builder sourceRows(long n) { sourceRows = n; return this; }
            public Builder targetRowsBefore(long n) { targetRowsBefore = n; return this; }
            public Builder sourceBytes(long n) { sourceBytes = n; return this; }
            public Builder reason(ReloadReason r) { reason = r; return this; }
            public Builder truncatedWith(TableName p) { reason = ReloadReason.WITH_PARENT; parent = p; return this; }
            public Builder sourceFingerprint(TableFingerprint f, double seconds) { sourceFingerprint = f; sourceFingerprintSeconds = seconds; return this; }
            public Builder targetFingerprintSeconds(double seconds) { targetFingerprintSeconds = seconds; return this; }
            public Builder rowVersions(String onSource, String onTarget) { sourceVersions = onSource; targetVersions = onTarget; return this; }
            /** A differing table written row by row; null: reloaded whole. */
            public Builder delta(RowDelta d) { delta = d; return this; }
            public Builder buckets(TableBuckets b) { buckets = b; return this; }

            public TablePlan build() {
                return new TablePlan(table, columns, format, sourceRows, targetRowsBefore, sourceBytes, reason, parent,
                        sourceFingerprint, sourceFingerprintSeconds, targetFingerprintSeconds, sourceVersions, targetVersions, delta, buckets);
            }
        }
    }

    public static final String UNCHANGED = ReloadReason.UNCHANGED.words();
    public static final String DIFFERS = ReloadReason.DIFFERS.words();
    public static final String FRESH_TARGET = ReloadReason.FRESH_TARGET.words();
    public static final String FULL = ReloadReason.FULL.words();
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
     * @param bucketsRead  a table read by its buckets: how many each side digested, of how many (absent otherwise)
     */
    public record Decision(String table, boolean reload, String why, long sourceRows, long targetRowsBefore,
            double sourceFingerprintSeconds, double targetFingerprintSeconds, String action,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long rowsInserted, @JsonInclude(JsonInclude.Include.NON_NULL) Long rowsDeleted,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long bytesSent, @JsonInclude(JsonInclude.Include.NON_NULL) BucketsRead bucketsRead) {

        public Decision(String table, boolean reload, String why, long sourceRows, long targetRowsBefore,
                double sourceFingerprintSeconds, double targetFingerprintSeconds) {
            this(table, reload, why, sourceRows, targetRowsBefore, sourceFingerprintSeconds, targetFingerprintSeconds,
                    reload ? ACTION_RELOAD : ACTION_UNCHANGED, null, null, null, null);
        }

        /** The same decision, with the bytes its COPY sent. */
        public Decision withBytesSent(long bytes) {
            return new Decision(table, reload, why, sourceRows, targetRowsBefore, sourceFingerprintSeconds,
                    targetFingerprintSeconds, action, rowsInserted, rowsDeleted, bytes, bucketsRead);
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

    /**
     * The target's tables whose rows this sync changes: reloaded or written as a delta, and there before (what a
     * backup holds; the tables the sync creates have no rows to keep).
     */
    public List<TableName> replacedNames() {
        return reloaded().stream().filter(t -> !t.reason().createdBySync()).map(TablePlan::table).toList();
    }

    /** The tables emptied by the TRUNCATE: reloaded whole and there before (a row delta deletes rows, never truncates). */
    public List<TableName> truncatedNames() {
        return reloaded().stream().filter(t -> !t.isDelta() && !t.reason().createdBySync()).map(TablePlan::table).toList();
    }

    /** The tables loaded whole (their indexes rebuilt, their sequences set from the plan), created ones included. */
    public List<TableName> loadedWholeNames() {
        return reloaded().stream().filter(t -> !t.isDelta()).map(TablePlan::table).toList();
    }

    /** The tables this sync creates in its load transaction: nothing to truncate in them. */
    public List<TableName> createdNames() {
        return tables.stream().filter(t -> t.reason().createdBySync()).map(TablePlan::table).toList();
    }

    /** The tables written as a row delta. */
    public List<TablePlan> deltas() {
        return tables.stream().filter(TablePlan::isDelta).toList();
    }

    /** Tables whose contents were read on either side: what a sync that writes nothing still records of them. */
    public boolean readAny() {
        return tables.stream().anyMatch(TablePlan::readOnEitherSide);
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
