package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.PgUriDataSource;
import dev.archon.sync.pg.Redactor;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the local database (history, and one side of every sync) answers. The remote is left out
 * on purpose: a cloud outage must not make the sidecar's readiness flap.
 */
@Readiness
@ApplicationScoped
public class LocalDatabaseReadiness implements HealthCheck {
    private final SyncConfig config;

    public LocalDatabaseReadiness(SyncConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        var r = HealthCheckResponse.named("local database");
        if (config.local().url().isEmpty()) {
            return r.down().withData("reason", "ARCHON_SYNC_LOCAL_URL is not set").build();
        }
        try {
            PgUri uri = PgUri.parse(config.local().url().get());
            try (Connection c = new PgUriDataSource(uri, "archon-db-sync readiness").getConnection()) {
                return r.status(c.isValid(3)).withData("database", uri.toString()).build();
            }
        } catch (Exception e) {
            return r.down().withData("reason", Redactor.redact(e.getMessage())).build();
        }
    }
}
