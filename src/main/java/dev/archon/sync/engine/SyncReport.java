package dev.archon.sync.engine;

import java.util.List;
import java.util.Map;

/** The numbers of a finished (or failed) sync: per table, per index, per phase. */
public record SyncReport(List<TableResult> tables, List<IndexResult> indexes, Map<String, Double> phaseSeconds,
        List<String> warnings) {

    public record TableResult(String table, long sourceRows, long targetRowsBefore, long rowsLoaded, long bytes,
            double seconds, String format) {
    }

    /** An index rebuilt after the load; a new relfilenode shows it was built over the loaded rows. */
    public record IndexResult(String index, String table, String method, double seconds, long oldRelfilenode,
            long newRelfilenode) {
    }
}
