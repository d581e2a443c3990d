package dev.archon.sync.schedule;

import dev.archon.sync.history.SyncHistory;
import java.time.Instant;

/**
 * What GET /api/database/schedule answers (snake_case in JSON; instants as ISO-8601 UTC).
 *
 * @param nextFireAt            when the scheduler fires next; null when the schedule is disabled
 * @param lastAttempt           the newest scheduled attempt, whatever its outcome (running, skipped, …)
 * @param lastSuccessAt         when the newest completed local-to-remote sync committed, of any trigger
 *                              (a manual backup counts as much as a nightly one)
 * @param lastSuccessAgeSeconds seconds since then: what to alert on when nights are missed
 */
public record ScheduleStatus(boolean enabled, String cron, String timeZone, Instant nextFireAt,
        SyncHistory.Attempt lastAttempt, Instant lastSuccessAt, Long lastSuccessAgeSeconds) {
}
