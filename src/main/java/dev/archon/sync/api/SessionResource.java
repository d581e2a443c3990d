package dev.archon.sync.api;

import dev.archon.sync.config.SyncConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The page's login: it POSTs the API key once in X-API-Key (checked by {@link ApiKeyFilter} like any
 * request) and gets back an HttpOnly, SameSite=Strict cookie with a signed session value, which its
 * later requests and its EventSource carry. Scripts on the page never see the cookie, and the key
 * never appears in a URL. The cookie's Path and Secure flag come from the configuration
 * (ARCHON_SYNC_COOKIE_PATH, ARCHON_SYNC_COOKIE_SECURE), never from a request header a client chooses.
 */
@Path("/api/database/session")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {
    private final BrowserSessions sessions;
    private final String cookiePath;
    private final boolean cookieSecure;

    public SessionResource(BrowserSessions sessions, SyncConfig config) {
        this.sessions = sessions;
        this.cookiePath = config.cookie().path();
        this.cookieSecure = config.cookie().secure();
    }

    /**
     * Reached only with valid credentials (the filter answers 401 otherwise): the page's "am I signed in?".
     * {@code via} is "key" when the request carried X-API-Key (a proxy in front adds it: nothing to sign out
     * of), else "cookie".
     */
    @GET
    public Map<String, Object> whoAmI(@Context HttpHeaders headers) {
        return Map.of("authenticated", true, "via", headers.getHeaderString(ApiKeyFilter.HEADER) != null ? "key" : "cookie");
    }

    /** A new session needs the key itself: a cookie alone would otherwise renew itself for ever. */
    @POST
    public Response login(@Context HttpHeaders headers, @Context HttpServerRequest http) {
        if (headers.getHeaderString(ApiKeyFilter.HEADER) == null) {
            return Problem.response(401, "Unauthorized", "signing in needs the API key in the X-API-Key header; a session "
                    + "cookie cannot renew itself");
        }
        return Response.ok(Map.of("authenticated", true, "expires_in", BrowserSessions.LIFETIME.toSeconds()))
                .cookie(cookie(sessions.issue(), (int) BrowserSessions.LIFETIME.toSeconds(), http)).build();
    }

    /** Ends every session server-side (the cookie is worthless from now on, wherever a copy of it is). */
    @DELETE
    public Response logout(@Context HttpServerRequest http) {
        sessions.revokeAll();
        return Response.noContent().cookie(cookie("", 0, http)).build();
    }

    /** Secure when configured, or when this server itself speaks TLS. */
    private NewCookie cookie(String value, int maxAge, HttpServerRequest http) {
        return new NewCookie.Builder(ApiKeyFilter.COOKIE).value(value).path(cookiePath).maxAge(maxAge).httpOnly(true)
                .secure(cookieSecure || http.isSSL()).sameSite(NewCookie.SameSite.STRICT).build();
    }
}
