package dev.archon.sync.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.Map;

/**
 * The page's login: it POSTs the API key once in X-API-Key (checked by {@link ApiKeyFilter} like any
 * request) and gets back an HttpOnly, SameSite=Strict cookie with a signed session value, which its
 * later requests and its EventSource carry. Scripts on the page never see the cookie, and the key
 * never appears in a URL.
 */
@Path("/api/database/session")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {
    private final BrowserSessions sessions;

    public SessionResource(BrowserSessions sessions) {
        this.sessions = sessions;
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

    @POST
    public Response login(@Context UriInfo uri, @Context HttpHeaders headers) {
        return Response.ok(Map.of("authenticated", true, "expires_in", BrowserSessions.LIFETIME.toSeconds()))
                .cookie(cookie(sessions.issue(), (int) BrowserSessions.LIFETIME.toSeconds(), secure(uri, headers)))
                .build();
    }

    @DELETE
    public Response logout(@Context UriInfo uri, @Context HttpHeaders headers) {
        return Response.noContent().cookie(cookie("", 0, secure(uri, headers))).build();
    }

    private static NewCookie cookie(String value, int maxAge, boolean secure) {
        return new NewCookie.Builder(ApiKeyFilter.COOKIE).value(value).path("/api").maxAge(maxAge).httpOnly(true)
                .secure(secure).sameSite(NewCookie.SameSite.STRICT).build();
    }

    /** Secure when the browser speaks HTTPS to us or to the proxy in front of us. */
    private static boolean secure(UriInfo uri, HttpHeaders headers) {
        return "https".equalsIgnoreCase(uri.getRequestUri().getScheme())
                || "https".equalsIgnoreCase(headers.getHeaderString("X-Forwarded-Proto"));
    }
}
