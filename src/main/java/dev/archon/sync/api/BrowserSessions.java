package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;

/**
 * What the page's cookie holds after a login: a signed, expiring session value, so the API key itself
 * never sits in the browser's cookie jar. Changing the API key ends every session.
 */
@ApplicationScoped
public class BrowserSessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final String PREFIX = "s1.";
    private final SignedExpiry signer;

    @Inject
    public BrowserSessions(SyncConfig config) {
        this(config.apiKey().orElse(""), Clock.systemUTC());
    }

    BrowserSessions(String apiKey, Clock clock) {
        this.signer = new SignedExpiry("browser session", apiKey, clock, LIFETIME);
    }

    public String issue() {
        return PREFIX + signer.issue("session");
    }

    public boolean valid(String value) {
        return value != null && value.startsWith(PREFIX) && signer.valid(value.substring(PREFIX.length()), "session");
    }
}
