package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;

/**
 * The host names the API answers to (ARCHON_SYNC_ALLOWED_HOSTS), compared with the request's Host header
 * without its port. Exact names, {@code *.suffix} (subdomains), {@code prefix.*} (the service's name with any
 * namespace after it) or {@code *}.
 */
@ApplicationScoped
public class AllowedHosts {
    private final List<String> entries;

    @Inject
    public AllowedHosts(SyncConfig config) {
        this(config.allowedHosts());
    }

    AllowedHosts(List<String> entries) {
        this.entries = entries.stream().map(e -> bare(e.trim().toLowerCase(Locale.ROOT))).filter(e -> !e.isEmpty()).toList();
    }

    public boolean allows(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        String host = bare(withoutPort(hostHeader.trim().toLowerCase(Locale.ROOT)));
        for (String e : entries) {
            if (e.equals("*") || e.equals(host)
                    || (e.startsWith("*.") && host.endsWith(e.substring(1)) && host.length() > e.length() - 1)
                    || (e.endsWith(".*") && host.startsWith(e.substring(0, e.length() - 1)) && host.length() > e.length() - 1)) {
                return true;
            }
        }
        return false;
    }

    boolean allowsAny() {
        return entries.contains("*");
    }

    /** {@code name:port} → name; {@code [::1]:8091} → [::1]; a bare IPv6 address stays whole. */
    static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon >= 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
