package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Refuses to start an unprotected service unless the user explicitly asked for one. */
@Singleton
public class StartupChecks {
    private static final Logger LOG = Logger.getLogger(StartupChecks.class);

    void onStart(@Observes StartupEvent event, SyncConfig config) {
        boolean hasKey = config.apiKey().filter(k -> !k.isBlank()).isPresent();
        if (!hasKey && !config.auth().disabled()) {
            throw new IllegalStateException("ARCHON_SYNC_API_KEY is not set: set it (every /api route requires it), "
                    + "or set ARCHON_SYNC_AUTH_DISABLED=true to run without authentication on a trusted machine");
        }
        if (!hasKey) {
            LOG.warn("authentication is DISABLED (archon.sync.auth.disabled=true): anyone who can reach this port can replace your data");
        }
    }
}
