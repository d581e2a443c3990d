package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.archon.sync.engine.plan.SyncPlan;
import java.util.List;
import java.util.Map;

/** The numbers of a finished (or failed) sync: per table, per index, per phase. */
public record SyncReport(List<TableResult> tables, List<IndexResult> indexes, Map<String, Double> phaseSeconds,
        List<String> warnings, @JsonInclude(JsonInclude.Include.NON_NULL) SmokeTestResult smokeTest) {

    public SyncReport(List<TableResult> tables, List<IndexResult> indexes, Map<String, Double> phaseSeconds, List<String> warnings) {
        this(tables, indexes, phaseSeconds, warnings, null);
    }

    /**
     * After a COMMIT that created or changed Archon's schema (issue 12): the search RPC called with a stored
     * vector as {@code role}, the ids it returned, and table → [rows the role sees, rows on the source].
     */
    public record SmokeTestResult(boolean passed, String role, String search, List<Long> rowIds, Map<String, long[]> counts,
            String message) {
    }

    /**
     * @param format   "binary", "text", or "unchanged" for a table left alone
     * @param reloaded false: equal to the source (fingerprints, checked again under the lock), not touched
     * @param why      why it was reloaded or not (see {@link SyncPlan.TablePlan#why})
     */
    public record TableResult(String table, long sourceRows, long targetRowsBefore, long rowsLoaded, long bytes,
            double seconds, String format, boolean reloaded, String why) {

        public TableResult(String table, long sourceRows, long targetRowsBefore, long rowsLoaded, long bytes, double seconds,
                String format) {
            this(table, sourceRows, targetRowsBefore, rowsLoaded, bytes, seconds, format, !SyncPlan.UNCHANGED.equals(format),
                    SyncPlan.UNCHANGED.equals(format) ? SyncPlan.UNCHANGED : null);
        }
    }

    /** An index rebuilt after the load; a new relfilenode shows it was built over the loaded rows. */
    public record IndexResult(String index, String table, String method, double seconds, long oldRelfilenode,
            long newRelfilenode) {
    }
}
