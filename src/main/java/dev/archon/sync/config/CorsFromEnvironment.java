package dev.archon.sync.config;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Cross-origin use of the API is off unless {@code ARCHON_SYNC_CORS_ORIGINS} (or the system property
 * {@code archon.sync.cors.origins}) lists the origins, comma-separated: then Quarkus' CORS filter is
 * switched on for exactly those, with credentials (the page's cookie) allowed. One setting instead of
 * Quarkus' several, and nothing enabled by accident: with the filter on and no origins, Quarkus would
 * also 403 proxied POSTs that carry the dashboard's Origin. Ordinal 275: above application.properties,
 * below the environment, so QUARKUS_HTTP_CORS_* still win.
 */
public class CorsFromEnvironment implements ConfigSource {
    static final String ENV = "ARCHON_SYNC_CORS_ORIGINS";
    static final String PROPERTY = "archon.sync.cors.origins";
    private final Map<String, String> values;

    public CorsFromEnvironment() {
        this(name -> ENV.equals(name) ? System.getenv(ENV) : System.getProperty(PROPERTY));
    }

    CorsFromEnvironment(Function<String, String> lookup) {
        String origins = lookup.apply(PROPERTY);
        if (origins == null || origins.isBlank()) {
            origins = lookup.apply(ENV);
        }
        values = origins == null || origins.isBlank() ? Map.of() : Map.of(
                "quarkus.http.cors.enabled", "true",
                "quarkus.http.cors.origins", origins.trim(),
                "quarkus.http.cors.access-control-allow-credentials", "true");
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "archon-db-sync CORS (" + ENV + ")";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
