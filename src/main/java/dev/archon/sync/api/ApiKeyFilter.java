package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every /api route needs the API key in X-API-Key, compared in constant time (over digests, so the
 * key's length does not show either). A browser's EventSource cannot send headers, so the event
 * stream also accepts the key in the {@value #COOKIE} cookie (set by the dashboard page) or a
 * short-lived {@link StreamTokens stream token} in {@code ?token=}. Health and OpenAPI under /q stay open.
 */
@ApplicationScoped
public class ApiKeyFilter {
    static final String HEADER = "X-API-Key";
    static final String COOKIE = "archon_sync_key";
    private static final Pattern EVENTS = Pattern.compile("^/api/database/sync/([^/]+)/events$");
    private final byte[] expected;
    private final boolean disabled;
    private final StreamTokens tokens;

    public ApiKeyFilter(SyncConfig config, StreamTokens tokens) {
        this.disabled = config.auth().disabled();
        this.expected = config.apiKey().filter(k -> !k.isBlank()).map(ApiKeyFilter::digest).orElse(null);
        this.tokens = tokens;
    }

    /**
     * Runs on a worker or the event loop alike: it only compares bytes, never blocks.
     *
     * @return null to let the request through, or the 401 problem
     */
    @ServerRequestFilter
    public Response filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (disabled || !(path.startsWith("/api/") || path.equals("/api"))) {
            return null;
        }
        String given = request.getHeaderString(HEADER);
        if (matches(given)) {
            return null;
        }
        Matcher events = EVENTS.matcher(path);
        if (events.matches()) {
            Cookie cookie = request.getCookies().get(COOKIE);
            if (cookie != null && matches(cookie.getValue())) {
                return null;
            }
            String token = request.getUriInfo().getQueryParameters().getFirst("token");
            if (tokens.valid(token, events.group(1))) {
                return null;
            }
        }
        return Problem.response(401, "Unauthorized",
                given == null ? "send the API key in the X-API-Key header" : "the API key is not valid");
    }

    private boolean matches(String key) {
        return expected != null && key != null && MessageDigest.isEqual(expected, digest(key));
    }

    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
