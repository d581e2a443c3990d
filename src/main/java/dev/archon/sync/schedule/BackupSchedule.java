package dev.archon.sync.schedule;

import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.Trigger;
import dev.archon.sync.history.SyncHistory;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The nightly backup as its users see it: on or off, when it fires next (in its time zone), how the
 * last scheduled attempt ended and how long ago a backup last succeeded.
 */
@ApplicationScoped
public class BackupSchedule {
    private final SyncConfig config;
    private final Scheduler scheduler;
    private final SyncHistory history;

    public BackupSchedule(SyncConfig config, Scheduler scheduler, SyncHistory history) {
        this.config = config;
        this.scheduler = scheduler;
        this.history = history;
    }

    /** ARCHON_SYNC_SCHEDULE_TZ, or the JVM's default zone (the container's TZ or /etc/localtime). */
    public ZoneId zone() {
        return zone(config.schedule().timeZone());
    }

    static ZoneId zone(Optional<String> configured) {
        return configured.filter(z -> !z.isBlank()).map(z -> ZoneId.of(z.trim())).orElseGet(ZoneId::systemDefault);
    }

    /**
     * @throws IllegalStateException when the history is not configured (no local database URL)
     * @throws SQLException          when the history cannot be read
     */
    public ScheduleStatus status(Instant now) throws SQLException {
        if (!history.available()) {
            throw new IllegalStateException("the local database (ARCHON_SYNC_LOCAL_URL) is not configured, so there is no history");
        }
        boolean enabled = config.schedule().enabled();
        Instant lastSuccess = history.lastCompleted(Direction.LOCAL_TO_REMOTE.wire()).orElse(null);
        return new ScheduleStatus(enabled, config.schedule().cron(), zone().getId(), enabled ? nextFire() : null,
                history.lastAttempt(Trigger.SCHEDULED.wire()).orElse(null), lastSuccess,
                lastSuccess == null ? null : Math.max(0, Duration.between(lastSuccess, now).toSeconds()));
    }

    /** The scheduler's own next fire time: it reads the cron in {@link #zone()}. */
    private Instant nextFire() {
        var trigger = scheduler.getScheduledJob(NightlyBackup.IDENTITY);
        return trigger == null ? null : trigger.getNextFireTime();
    }
}
