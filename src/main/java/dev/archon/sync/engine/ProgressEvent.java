package dev.archon.sync.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One snapshot of a sync's state: the progress object of the HTTP contract (snake_case in JSON).
 * {@code operation} is "sync", or "restore" (then {@code backup_id} names the backup and the
 * direction's target is the database restored). {@code decisions}, once validated: per table, reloaded
 * or left alone as unchanged, and why (issue 14). {@code notices}: what the user must know that is no refusal
 * (issue 19), from the plan on.
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
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Notice> notices) {

    /** The same moment with its clock read again (elapsed and ETA move while nothing else does). */
    public ProgressEvent withClock(double elapsed, Long eta) {
        return new ProgressEvent(syncId, operation, status, direction, trigger, phase, currentTable, tablesCompleted,
                totalTables, rowsSynced, totalRows, bytesTransferred, percentComplete, startedAt, elapsed, eta, message, error,
                backupId, finishedAt, refusals, plan, report, decisions, notices);
    }
}
