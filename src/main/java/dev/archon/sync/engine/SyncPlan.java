package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
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
     */
    public record TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows,
            long targetRowsBefore, long sourceBytes, @JsonIgnore ReloadReason reason, @JsonIgnore TableName parent,
            TableFingerprint sourceFingerprint, double sourceFingerprintSeconds, double targetFingerprintSeconds,
            String sourceVersions, String targetVersions) {

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

        public Decision decision() {
            return new Decision(table.toString(), reload(), why(), sourceRows, targetRowsBefore, sourceFingerprintSeconds,
                    targetFingerprintSeconds);
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

            public TablePlan build() {
                return new TablePlan(table, columns, format, sourceRows, targetRowsBefore, sourceBytes, reason, parent,
                        sourceFingerprint, sourceFingerprintSeconds, targetFingerprintSeconds, sourceVersions, targetVersions);
            }
        }
    }

    public static final String UNCHANGED = ReloadReason.UNCHANGED.words();
    public static final String DIFFERS = ReloadReason.DIFFERS.words();
    public static final String FRESH_TARGET = ReloadReason.FRESH_TARGET.words();
    public static final String FULL = ReloadReason.FULL.words();

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

    /** The target's tables whose rows this sync replaces: reloaded and there before (what a backup holds, what is truncated). */
    public List<TableName> replacedNames() {
        return reloaded().stream().filter(t -> !t.reason().createdBySync()).map(TablePlan::table).toList();
    }

    /** The tables this sync creates in its load transaction: nothing to truncate in them. */
    public List<TableName> createdNames() {
        return tables.stream().filter(t -> t.reason().createdBySync()).map(TablePlan::table).toList();
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
