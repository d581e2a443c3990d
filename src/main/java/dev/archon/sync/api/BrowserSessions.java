package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the page's cookie holds after a login: a signed, expiring session value (HMAC-SHA256 keyed by
 * the API key), so the key itself never sits in the browser's cookie jar. Changing the API key ends
 * every session.
 */
@ApplicationScoped
public class BrowserSessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final String PREFIX = "s1.";
    private final byte[] key;
    private final Clock clock;

    @Inject
    public BrowserSessions(SyncConfig config) {
        this(config.apiKey().orElse(""), Clock.systemUTC());
    }

    BrowserSessions(String apiKey, Clock clock) {
        this.key = ("archon-db-sync browser session|" + apiKey).getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    public String issue() {
        long expires = clock.instant().plus(LIFETIME).getEpochSecond();
        return PREFIX + expires + "." + sign(expires);
    }

    public boolean valid(String value) {
        if (value == null || !value.startsWith(PREFIX) || key.length == 0) {
            return false;
        }
        String rest = value.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(rest.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        boolean fresh = clock.instant().getEpochSecond() <= expires;
        byte[] expected = sign(expires).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, rest.substring(dot + 1).getBytes(StandardCharsets.US_ASCII)) && fresh;
    }

    private String sign(long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal(("session|" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
