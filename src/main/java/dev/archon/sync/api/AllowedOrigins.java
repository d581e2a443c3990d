package dev.archon.sync.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The browser origins allowed to change something: the service's own (the Origin names the host the request
 * was sent to, which {@link AllowedHosts} checked) and those in ARCHON_SYNC_CORS_ORIGINS (Archon's dashboard).
 * A page of another site, a {@code file://} page ({@code Origin: null}) or a sandboxed frame is none of them.
 */
@ApplicationScoped
public class AllowedOrigins {
    private final List<String> listed;

    public AllowedOrigins() {
        this(ConfigProvider.getConfig().getOptionalValue("quarkus.http.cors.origins", String.class).orElse(""));
    }

    AllowedOrigins(String corsOrigins) {
        this.listed = Arrays.stream(corsOrigins.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(AllowedOrigins::normal).filter(s -> s != null).toList();
    }

    public boolean allows(String origin, String hostHeader) {
        String o = normal(origin);
        if (o == null) {
            return false;
        }
        if (listed.contains(o)) {
            return true;
        }
        URI u = URI.create(o);
        String authority = u.getHost() + ":" + u.getPort();
        String host = hostHeader == null ? "" : hostHeader.trim().toLowerCase(Locale.ROOT);
        return authority.equals(normalAuthority(host, u.getScheme()));
    }

    /** scheme://host:port in lower case with the port always written; null for anything that is not such an origin. */
    static String normal(String origin) {
        try {
            URI u = URI.create(origin.trim());
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null
                    || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))) {
                return null;
            }
            int port = u.getPort() > 0 ? u.getPort() : "https".equals(scheme) ? 443 : 80;
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String normalAuthority(String host, String scheme) {
        String name = AllowedHosts.withoutPort(host);
        String rest = host.substring(name.length());
        int port = rest.startsWith(":") ? parse(rest.substring(1)) : "https".equals(scheme) ? 443 : 80;
        return name + ":" + port;
    }

    private static int parse(String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
