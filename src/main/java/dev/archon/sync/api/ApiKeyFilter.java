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
 * key's length does not show either). The Database Sync page signs in once ({@link SessionResource}) and
 * then sends the {@value #COOKIE} cookie (HttpOnly, SameSite=Strict) holding a {@link BrowserSessions
 * session value} (the key itself is accepted there too); a cookie alone does not change anything: a
 * request other than GET must also carry {@value #REQUESTED_WITH}, which a cross-site form cannot send.
 * The event stream also takes a short-lived {@link StreamTokens stream token} in {@code ?token=}.
 * Health and OpenAPI under /q stay open. A client that sent too many wrong keys is answered 429 for a while
 * ({@link FailedKeyThrottle}), before its key is even looked at.
 */
@ApplicationScoped
public class ApiKeyFilter {
    static final String HEADER = "X-API-Key";
    static final String COOKIE = "archon_sync_key";
    static final String REQUESTED_WITH = "X-Requested-With";
    private static final Pattern EVENTS = Pattern.compile("^/api/database/sync/([^/]+)/events$");
    private final byte[] expected;
    private final boolean disabled;
    private final StreamTokens tokens;
    private final BrowserSessions sessions;
    private final FailedKeyThrottle throttle;

    public ApiKeyFilter(SyncConfig config, StreamTokens tokens, BrowserSessions sessions, FailedKeyThrottle throttle) {
        this.throttle = throttle;
        this.disabled = config.auth().disabled();
        this.expected = config.apiKey().filter(k -> !k.isBlank()).map(ApiKeyFilter::digest).orElse(null);
        this.tokens = tokens;
        this.sessions = sessions;
    }

    /**
     * Runs on a worker or the event loop alike: it only compares bytes, never blocks.
     *
     * @return null to let the request through, or the 401 problem
     */
    @ServerRequestFilter
    public Response filter(ContainerRequestContext request, io.vertx.core.http.HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (disabled || !(path.startsWith("/api/") || path.equals("/api"))) {
            return null;
        }
        String address = http.remoteAddress() == null ? "" : http.remoteAddress().hostAddress();
        long wait = throttle.retryAfter(address);
        if (wait > 0) {
            return Response.fromResponse(Problem.response(429, "Too many wrong keys", "too many requests with a wrong API key or "
                    + "session from this address: try again in " + wait + " s")).header("Retry-After", wait).build();
        }
        Response refused = check(request, path);
        boolean presented = request.getHeaderString(HEADER) != null || request.getCookies().containsKey(COOKIE)
                || request.getUriInfo().getQueryParameters().containsKey("token");
        if (refused != null && refused.getStatus() == 401 && presented) { // a wrong credential, not a missing one
            throttle.failed(address);
        }
        return refused;
    }

    private Response check(ContainerRequestContext request, String path) {
        String given = request.getHeaderString(HEADER);
        if (given != null) {
            // a key that is sent is what counts, whatever cookie comes along (the page's login checks it)
            return matches(given) ? null : Problem.response(401, "Unauthorized", "the API key is not valid");
        }
        Cookie cookie = request.getCookies().get(COOKIE);
        if (cookie != null && (sessions.valid(cookie.getValue()) || matches(cookie.getValue()))) {
            boolean reading = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
            if (reading || request.getHeaderString(REQUESTED_WITH) != null) {
                return null;
            }
            return Problem.response(403, "Forbidden", "a request signed in by cookie must also send the "
                    + REQUESTED_WITH + " header");
        }
        Matcher events = EVENTS.matcher(path);
        if (events.matches()) {
            String token = request.getUriInfo().getQueryParameters().getFirst("token");
            if (tokens.valid(token, events.group(1))) {
                return null;
            }
        }
        return Problem.response(401, "Unauthorized", cookie == null ? "send the API key in the X-API-Key header"
                : "the session has ended or the API key changed: sign in again");
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
