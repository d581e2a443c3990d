package dev.archon.sync.history;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One row of archon_sync_history, as the API lists it. {@code leftOut}: the archon_* tables the sync did not
 * sync, each with why (issue 19).
 */
public record HistoryEntry(String syncId, String direction, String trigger, String status, String phase, boolean forced,
        boolean backup, boolean dryRun, String requestedBy, Instant startedAt, Instant finishedAt, Double durationSeconds,
        long rowsSynced, long totalRows, long bytesTransferred, JsonNode phaseSeconds, JsonNode tables, JsonNode refusals,
        String message, String error, String operation, String backupId, JsonNode leftOut) {
}
