package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Every /api route needs the API key in X-API-Key. Compared in constant time (over digests, so the
 * key's length does not show either). Health and OpenAPI under /q stay open.
 */
@Provider
public class ApiKeyFilter implements ContainerRequestFilter {
    static final String HEADER = "X-API-Key";
    private final byte[] expected;
    private final boolean disabled;

    public ApiKeyFilter(SyncConfig config) {
        this.disabled = config.auth().disabled();
        this.expected = config.apiKey().filter(k -> !k.isBlank()).map(ApiKeyFilter::digest).orElse(null);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (disabled || !(path.startsWith("/api/") || path.equals("/api"))) {
            return;
        }
        String given = request.getHeaderString(HEADER);
        if (expected == null || given == null || !MessageDigest.isEqual(expected, digest(given))) {
            request.abortWith(Problem.response(401, "Unauthorized",
                    given == null ? "send the API key in the X-API-Key header" : "the API key is not valid"));
        }
    }

    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
