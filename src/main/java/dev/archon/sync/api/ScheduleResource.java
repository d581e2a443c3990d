package dev.archon.sync.api;

import dev.archon.sync.pg.Redactor;
import dev.archon.sync.schedule.BackupSchedule;
import dev.archon.sync.schedule.ScheduleStatus;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The nightly backup: on or off, cron and time zone, next fire time, the last scheduled attempt and
 * the age of the last successful backup (what to alert on when nights are missed).
 */
@Path("/api/database/schedule")
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleResource {
    private final BackupSchedule schedule;

    public ScheduleResource(BackupSchedule schedule) {
        this.schedule = schedule;
    }

    @GET
    @Blocking
    public ScheduleStatus get() {
        try {
            return schedule.status(Instant.now());
        } catch (IllegalStateException e) {
            throw new WebApplicationException(e.getMessage(), 503);
        } catch (SQLException e) {
            throw new WebApplicationException("the sync history in the local database cannot be read: "
                    + Redactor.redact(e.getMessage()), 503);
        }
    }
}
