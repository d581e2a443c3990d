package dev.archon.sync.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ARCHON_SYNC_SCHEDULE_TZ: the cron is read in that zone. Kathmandu (+05:45) makes any other reading
 * visible, and the only day in the cron is 29 February, so the schedule never fires during the test.
 */
@QuarkusTest
@TestProfile(ScheduleTimeZoneTest.KathmanduNights.class)
@QuarkusTestResource(value = ClustersResource.class, restrictToAnnotatedClass = true)
class ScheduleTimeZoneTest {
    static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

    public static class KathmanduNights implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("archon.sync.schedule.enabled", "true", "archon.sync.schedule.cron", "0 30 3 29 2 ?",
                    "archon.sync.schedule.tz", "Asia/Kathmandu");
        }
    }

    @Test
    void theNextFireTimeIsComputedInTheConfiguredZone() {
        Map<String, Object> s = given().header("X-API-Key", SyncApiTest.KEY).get("/api/database/schedule")
                .then().statusCode(200).extract().jsonPath().getMap("$");
        assertEquals(true, s.get("enabled"));
        assertEquals("0 30 3 29 2 ?", s.get("cron"));
        assertEquals("Asia/Kathmandu", s.get("time_zone"));
        Instant next = Instant.parse((String) s.get("next_fire_at"));
        assertEquals(nextLeapDayAt0330(KATHMANDU), next, "03:30 on 29 February in Kathmandu");
        assertNotEquals(nextLeapDayAt0330(ZoneOffset.UTC), next, "not read in UTC");
        assertEquals(3, next.atZone(KATHMANDU).getHour());
        assertEquals(30, next.atZone(KATHMANDU).getMinute());
    }

    private static Instant nextLeapDayAt0330(ZoneId zone) {
        ZonedDateTime now = ZonedDateTime.now(zone);
        for (int year = now.getYear(); ; year++) {
            if (Year.isLeap(year)) {
                ZonedDateTime candidate = ZonedDateTime.of(year, 2, 29, 3, 30, 0, 0, zone);
                if (candidate.isAfter(now)) {
                    return candidate.toInstant();
                }
            }
        }
    }
}
