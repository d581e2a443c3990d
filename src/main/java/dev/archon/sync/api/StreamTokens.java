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
 * Short-lived tokens for a browser's EventSource, which cannot send headers: good for one sync's event
 * stream for five minutes, signed with the API key (HMAC-SHA256), so the key itself never sits in a
 * URL that ends up in access logs.
 */
@ApplicationScoped
public class StreamTokens {
    static final Duration LIFETIME = Duration.ofMinutes(5);
    private final byte[] key;
    private final Clock clock;

    @Inject
    public StreamTokens(SyncConfig config) {
        this(config.apiKey().orElse(""), Clock.systemUTC());
    }

    StreamTokens(String apiKey, Clock clock) {
        this.key = ("archon-db-sync stream token|" + apiKey).getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    public String issue(String syncId) {
        long expires = clock.instant().plus(LIFETIME).getEpochSecond();
        return expires + "." + sign(syncId, expires);
    }

    public boolean valid(String token, String syncId) {
        if (token == null || key.length == 0) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        boolean fresh = clock.instant().getEpochSecond() <= expires;
        byte[] expected = sign(syncId, expires).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII)) && fresh;
    }

    private String sign(String syncId, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal((syncId + "|" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
