package dev.archon.sync.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.archon.sync.history.HistoryEntry;
import java.time.Instant;

/**
 * A sync this instance no longer holds in memory (it restarted, or the sync ran elsewhere), told from
 * its history row with the progress object's field names, so a CLI or page following the sync's id
 * learns how it ended instead of getting a 404. {@code from_history} says where the answer came from.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FinishedSync(String syncId, String status, String direction, String trigger, String phase, String operation,
        String backupId, Instant startedAt, Instant finishedAt, Double elapsedSeconds, long rowsSynced, long totalRows,
        long bytesTransferred, Double percentComplete, String message, String error, JsonNode refusals,
        boolean fromHistory) {

    static FinishedSync of(HistoryEntry h) {
        return new FinishedSync(h.syncId(), h.status(), h.direction(), h.trigger(), h.phase(), h.operation(), h.backupId(),
                h.startedAt(), h.finishedAt(), h.durationSeconds(), h.rowsSynced(), h.totalRows(), h.bytesTransferred(),
                "completed".equals(h.status()) ? 100.0 : null, h.message(), h.error(), h.refusals(), true);
    }

    boolean isFinal() {
        return !"running".equals(status);
    }
}
