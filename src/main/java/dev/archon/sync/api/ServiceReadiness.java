package dev.archon.sync.api;

import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.service.DatabaseReachability;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready = the service takes requests. It runs in Archon's pod: a cloud outage or a restarting local
 * Supabase must neither unroute nor restart it (and with it Archon), so the databases are reported in the
 * data — reachable / unreachable / not configured, from the background check — and never make it DOWN.
 * No host, user or error text is shown: health is open to anyone who can reach the port.
 */
@Readiness
@ApplicationScoped
public class ServiceReadiness implements HealthCheck {
    private final DatabaseReachability databases;
    private final SyncHistory history;

    public ServiceReadiness(DatabaseReachability databases, SyncHistory history) {
        this.databases = databases;
        this.history = history;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("archon-db-sync").up()
                .withData("local_database", databases.state("local").wire())
                .withData("remote_database", databases.state("remote").wire())
                .withData("history", history.migrated() ? "ready" : "pending");
        if (databases.checkedAt() != null) {
            r.withData("checked_at", databases.checkedAt().toString());
        }
        return r.build();
    }
}
