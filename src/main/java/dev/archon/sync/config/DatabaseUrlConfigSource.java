package dev.archon.sync.config;

import dev.archon.sync.pg.PgUri;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The user sets one libpq URI per database (ARCHON_SYNC_LOCAL_URL, ARCHON_SYNC_REMOTE_URL); Quarkus's
 * named datasources {@code local} and {@code remote} need a JDBC URL, a user, a password and driver
 * properties. This factory derives them at start-up from the URIs with {@link PgUri} — the same parser
 * (and the same password handling) the sync itself uses — so there is exactly one setting per database.
 *
 * <p>A URI that is not set, or does not parse, yields nothing: the datasource stays inactive, the service
 * still starts, and the sync explains the URI problem when it is asked to run. The ordinal is below
 * application.properties, so an explicit {@code quarkus.datasource.local.*} setting still wins.
 */
public final class DatabaseUrlConfigSource implements ConfigSourceFactory {
    static final int ORDINAL = 150;
    static final String APPLICATION_NAME = "archon-db-sync pool";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String side : List.of("local", "remote")) {
            ConfigValue url = context.getValue("archon.sync." + side + ".url");
            if (url != null && url.getValue() != null && !url.getValue().isBlank()) {
                props.putAll(datasourceProperties(side, url.getValue()));
            }
        }
        return List.of(new MapBackedConfigSource("archon.sync database URLs", props, ORDINAL) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** {@code quarkus.datasource.<name>.*} for one libpq URI; empty when it does not parse. */
    static Map<String, String> datasourceProperties(String name, String libpqUri) {
        PgUri uri;
        try {
            uri = PgUri.parse(libpqUri);
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
        String prefix = "quarkus.datasource." + name + ".";
        Map<String, String> out = new LinkedHashMap<>();
        out.put(prefix + "jdbc.url", uri.jdbcUrl());
        Properties jdbc = uri.jdbcProperties(APPLICATION_NAME);
        for (String key : jdbc.stringPropertyNames()) {
            String value = jdbc.getProperty(key);
            switch (key) {
                case "user" -> out.put(prefix + "username", value);
                case "password" -> out.put(prefix + "password", value);
                default -> out.put(prefix + "jdbc.additional-jdbc-properties." + key, value);
            }
        }
        return out;
    }
}
