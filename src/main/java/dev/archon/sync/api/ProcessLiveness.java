package dev.archon.sync.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live = the process answers HTTP. Nothing outside it (a database, the cloud) may ever make the
 * orchestrator restart the pod; a JVM out of memory exits by itself (-XX:+ExitOnOutOfMemoryError).
 */
@Liveness
@ApplicationScoped
public class ProcessLiveness implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("process");
    }
}
