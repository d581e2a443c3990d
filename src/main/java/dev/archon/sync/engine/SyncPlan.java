package dev.archon.sync.engine;

import dev.archon.sync.pg.CatalogModel.SequenceState;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.TableName;
import java.util.List;

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
     * @param why               why it is reloaded or not ("differs", "fresh target", "truncated with its parent …", "unchanged", "restore")
     * @param sourceFingerprint what the source holds (null for a restore)
     */
    public record TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows,
            long targetRowsBefore, long sourceBytes, boolean reload, String why, TableFingerprint sourceFingerprint) {

        /** A table that is reloaded whatever it holds (a restore). */
        public TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows, long targetRowsBefore,
                long sourceBytes) {
            this(table, columns, format, sourceRows, targetRowsBefore, sourceBytes, true, "restore", null);
        }
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
}
