package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

/**
 * What the page's cookie holds after a login: a signed, expiring session value, so the API key itself
 * never sits in the browser's cookie jar. Each value is signed for the current <em>epoch</em>, a random
 * value this process draws at start and again at every sign-out: signing out (or a restart) ends every
 * session server-side, so a copied cookie is worthless afterwards. Changing the API key ends them too.
 * Only the key issues a session: a cookie never renews itself.
 */
@ApplicationScoped
public class BrowserSessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final String PREFIX = "s1.";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SignedExpiry signer;
    private volatile String epoch = newEpoch();

    @Inject
    public BrowserSessions(SyncConfig config) {
        this(config.apiKey().orElse(""), Clock.systemUTC());
    }

    BrowserSessions(String apiKey, Clock clock) {
        this.signer = new SignedExpiry("browser session", apiKey, clock, LIFETIME);
    }

    public String issue() {
        return PREFIX + signer.issue("session " + epoch);
    }

    public boolean valid(String value) {
        return value != null && value.startsWith(PREFIX) && signer.valid(value.substring(PREFIX.length()), "session " + epoch);
    }

    /** Sign-out: every session issued so far stops working, here and now. */
    public void revokeAll() {
        epoch = newEpoch();
    }

    private static String newEpoch() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
