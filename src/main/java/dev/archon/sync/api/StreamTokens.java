package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;

/**
 * Short-lived tokens for a browser's EventSource, which cannot send headers: good for one sync's event
 * stream for five minutes, so the API key itself never sits in a URL that ends up in access logs.
 */
@ApplicationScoped
public class StreamTokens {
    static final Duration LIFETIME = Duration.ofMinutes(5);
    private final SignedExpiry signer;

    @Inject
    public StreamTokens(SyncConfig config) {
        this(config.apiKey().orElse(""), Clock.systemUTC());
    }

    StreamTokens(String apiKey, Clock clock) {
        this.signer = new SignedExpiry("stream token", apiKey, clock, LIFETIME);
    }

    public String issue(String syncId) {
        return signer.issue(syncId);
    }

    public boolean valid(String token, String syncId) {
        return signer.valid(token, syncId);
    }
}
