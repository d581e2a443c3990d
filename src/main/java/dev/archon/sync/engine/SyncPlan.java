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
     * @param columns the columns COPY moves, generated ones left out (the target computes them)
     */
    public record TablePlan(TableName table, List<String> columns, CopyFormat format, long sourceRows,
            long targetRowsBefore, long sourceBytes) {
    }

    /** A sequence owned by a synced column and the source's value of it, taken in the snapshot. */
    public record SequencePlan(TableName table, String column, String sourceSequence, SequenceState value) {
    }

    public long totalRows() {
        return tables.stream().mapToLong(TablePlan::sourceRows).sum();
    }

    public long totalBytes() {
        return tables.stream().mapToLong(TablePlan::sourceBytes).sum();
    }

    public List<TableName> tableNames() {
        return tables.stream().map(TablePlan::table).toList();
    }
}
