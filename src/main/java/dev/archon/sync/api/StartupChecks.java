package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Refuses to start a service that is unprotected or protected in name only: no key (unless explicitly
 * opted out, and then only on a loopback address), a key that is short or the example Secret's
 * placeholder, a key together with the opt-out (which would ignore it), and CORS for any origin with
 * credentials. Each refusal says what to change.
 */
@Singleton
public class StartupChecks {
    private static final Logger LOG = Logger.getLogger(StartupChecks.class);
    static final int MIN_KEY_LENGTH = 24;
    /** k8s/base/secret.example.yaml's api-key: a key everyone who read the example knows. */
    static final String EXAMPLE_KEY = "CHANGE-ME-long-random-string";
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    /** What is checked, read from the configuration. */
    record Settings(Optional<String> apiKey, boolean authDisabled, String bindHost, String corsOrigins, boolean corsCredentials,
            boolean anyHost) {
    }

    void onStart(@Observes StartupEvent event, SyncConfig config) {
        Config c = ConfigProvider.getConfig();
        String defaultHost = LaunchMode.current() == LaunchMode.NORMAL ? "0.0.0.0" : "localhost";
        check(new Settings(config.apiKey(), config.auth().disabled(),
                c.getOptionalValue("quarkus.http.host", String.class).orElse(defaultHost),
                c.getOptionalValue("quarkus.http.cors.origins", String.class).orElse(""),
                c.getOptionalValue("quarkus.http.cors.access-control-allow-credentials", Boolean.class).orElse(false),
                config.allowedHosts().stream().anyMatch(h -> h.trim().equals("*"))));
    }

    static void check(Settings s) {
        Optional<String> key = s.apiKey().filter(k -> !k.isBlank());
        if (s.authDisabled()) {
            if (key.isPresent()) {
                throw new IllegalStateException("ARCHON_SYNC_AUTH_DISABLED=true and ARCHON_SYNC_API_KEY are both set: the key "
                        + "would be ignored. Remove ARCHON_SYNC_AUTH_DISABLED to require the key, or unset the key");
            }
            if (!LOOPBACK.contains(s.bindHost().trim().toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException("ARCHON_SYNC_AUTH_DISABLED=true is allowed only when the service listens on "
                        + "the loopback address (QUARKUS_HTTP_HOST=127.0.0.1), not on '" + s.bindHost() + "': anyone who can "
                        + "reach the port could replace your data. Set ARCHON_SYNC_API_KEY instead");
            }
            LOG.error("*** AUTHENTICATION IS DISABLED (ARCHON_SYNC_AUTH_DISABLED=true): every program on this machine can "
                    + "replace your data through " + s.bindHost() + " — use this for local development only ***");
        } else if (key.isEmpty()) {
            throw new IllegalStateException("ARCHON_SYNC_API_KEY is not set: set it (every /api route requires it), "
                    + "or set ARCHON_SYNC_AUTH_DISABLED=true to run without authentication on a trusted machine");
        } else if (key.get().trim().equalsIgnoreCase(EXAMPLE_KEY) || key.get().trim().toUpperCase(Locale.ROOT).startsWith("CHANGE-ME")) {
            throw new IllegalStateException("ARCHON_SYNC_API_KEY is the example Secret's placeholder: set a random key, "
                    + "e.g. openssl rand -hex 32");
        } else if (key.get().length() < MIN_KEY_LENGTH) {
            throw new IllegalStateException("ARCHON_SYNC_API_KEY is " + key.get().length() + " characters long: use at least "
                    + MIN_KEY_LENGTH + " random characters, e.g. openssl rand -hex 32");
        }
        boolean anyOrigin = Arrays.stream(s.corsOrigins().split(",")).map(String::trim).anyMatch(o -> o.equals("*") || o.equals("/.*/"));
        if (anyOrigin && s.corsCredentials()) {
            throw new IllegalStateException("ARCHON_SYNC_CORS_ORIGINS=* would let every website use a signed-in browser's "
                    + "session: list the exact origins instead (e.g. http://localhost:3737)");
        }
        if (s.anyHost()) {
            LOG.warn("ARCHON_SYNC_ALLOWED_HOSTS=* accepts any Host header: a DNS-rebinding page can reach the API; list the "
                    + "host names instead");
        }
    }
}
