package dev.archon.sync.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A value that says "good for this subject until then", signed with HMAC-SHA256 keyed by the API key and
 * a purpose (so a value made for one use is worthless for another): {@code <expires>.<signature>}. The key
 * never leaves the service; changing it invalidates every value issued; without a key nothing is valid.
 */
final class SignedExpiry {
    private final byte[] key;
    private final Clock clock;
    private final Duration lifetime;

    SignedExpiry(String purpose, String apiKey, Clock clock, Duration lifetime) {
        this.key = apiKey.isBlank() ? new byte[0] : ("archon-db-sync " + purpose + "|" + apiKey).getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        this.lifetime = lifetime;
    }

    String issue(String subject) {
        long expires = clock.instant().plus(lifetime).getEpochSecond();
        return expires + "." + sign(subject, expires);
    }

    /** Signed for this subject and not expired; anything malformed is simply not valid. */
    boolean valid(String value, String subject) {
        if (value == null || key.length == 0) {
            return false;
        }
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        boolean fresh = clock.instant().getEpochSecond() <= expires;
        byte[] expected = sign(subject, expires).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII)) && fresh;
    }

    private String sign(String subject, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            byte[] sig = mac.doFinal((subject + "|" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
