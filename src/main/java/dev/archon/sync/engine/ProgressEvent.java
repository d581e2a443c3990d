package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.engine.plan.TableSet;
import java.time.Instant;
import java.util.List;

/**
 * One snapshot of a sync's state: the progress object of the HTTP contract (snake_case in JSON).
 * {@code operation} is "sync", or "restore" (then {@code backup_id} names the backup and the
 * direction's target is the database restored). {@code decisions}, once validated: per table, reloaded
 * or left alone as unchanged, and why (issue 14). {@code dry_run} on every event and {@code outcome} on the
 * final one are the facts a client decides by (issue 23): it never has to read {@code message}.
 * {@code left_out}: every other {@code archon_*} table on either side and why it is not synced; {@code notices}: facts the user must know that are not refusals (issue 19).
 */
public record ProgressEvent(
        String syncId,
        String operation,
        SyncStatus status,
        Direction direction,
        Trigger trigger,
        Phase phase,
        String currentTable,
        int tablesCompleted,
        int totalTables,
        long rowsSynced,
        long totalRows,
        long bytesTransferred,
        double percentComplete,
        Instant startedAt,
        double elapsedSeconds,
        Long etaSeconds,
        String message,
        String error,
        @JsonInclude(JsonInclude.Include.NON_NULL) String backupId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant finishedAt,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Refusal> refusals,
        @JsonInclude(JsonInclude.Include.NON_NULL) SyncPlan plan,
        @JsonInclude(JsonInclude.Include.NON_NULL) SyncReport report,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SyncPlan.Decision> decisions,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TableSet.LeftOut> leftOut,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Notice> notices,
        boolean dryRun,
        @JsonInclude(JsonInclude.Include.NON_NULL) Outcome outcome) {

    /** How a sync ended, in facts: absent while it runs. */
    public enum Outcome {
        /** Validated, loaded, verified and committed. */
        COMPLETED,
        /** Validated and every table equals the source: no write transaction was opened. */
        NOTHING_TO_DO,
        /** A dry run that validated: the plan, nothing touched. */
        PLANNED,
        REFUSED,
        FAILED,
        CANCELLED;

        @JsonValue
        public String wire() {
            return name().toLowerCase();
        }
    }

    /** The same moment with its clock read again (elapsed and ETA move while nothing else does). */
    public ProgressEvent withClock(double elapsed, Long eta) {
        return new ProgressEvent(syncId, operation, status, direction, trigger, phase, currentTable, tablesCompleted,
                totalTables, rowsSynced, totalRows, bytesTransferred, percentComplete, startedAt, elapsed, eta, message, error,
                backupId, finishedAt, refusals, plan, report, decisions, leftOut, notices, dryRun, outcome);
    }
}
