package dev.archon.sync.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every /api request comes from the service's own page, Archon's dashboard or a script — never from another
 * site's page riding on a proxy that adds the key, on the cookie, or on {@code ARCHON_SYNC_AUTH_DISABLED}.
 * Runs before the key check ({@link ApiKeyFilter}), whatever the sign-in mode:
 * <ol>
 *   <li>the Host must be one of {@link AllowedHosts} (a DNS-rebinding page sends its own name), else 421;</li>
 *   <li>a request with a body, and every POST to a route that takes one, must say
 *       {@code Content-Type: application/json}, else 415 — a cross-site {@code fetch(…, {mode: 'no-cors'})} or
 *       form can only send text/plain, form types or none, and a JSON type forces a CORS preflight;</li>
 *   <li>a request that changes something and carries an {@code Origin} must come from an
 *       {@link AllowedOrigins allowed origin}; without an Origin, {@code Sec-Fetch-Site: cross-site} is refused
 *       too (403). Scripts (curl, the CLI) send neither and pass.</li>
 * </ol>
 */
@ApplicationScoped
public class SameOriginFilter {
    /** The routes whose body is their request: a POST to them needs the JSON type even when it is empty. */
    private static final Pattern BODY_ROUTES = Pattern.compile("^/api/database/(sync|backups/[^/]+/restore)$");
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private final AllowedHosts hosts;
    private final AllowedOrigins origins;

    public SameOriginFilter(AllowedHosts hosts, AllowedOrigins origins) {
        this.hosts = hosts;
        this.origins = origins;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 100)
    public Response filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith("/api/") || path.equals("/api"))) {
            return null; // the page's static files and /q (health probes send the pod's IP as Host) stay open
        }
        String host = request.getHeaderString(HttpHeaders.HOST);
        if (host == null) { // HTTP/2 (h2c, TLS) carries it as :authority, which the request URI is built from
            host = request.getUriInfo().getRequestUri().getRawAuthority();
        }
        if (!hosts.allows(host)) {
            return Problem.response(421, "Unknown host", "this service does not answer to the host name the request used;"
                    + " add it to ARCHON_SYNC_ALLOWED_HOSTS if you reach the service under that name");
        }
        String method = request.getMethod();
        if (READS.contains(method)) {
            return null;
        }
        boolean hasBody = request.getLength() > 0 || request.getHeaderString("Transfer-Encoding") != null;
        if ((hasBody || ("POST".equals(method) && BODY_ROUTES.matcher(path).matches())) && !json(request)) {
            return Problem.response(415, "Unsupported Media Type", "send the body as JSON with the header "
                    + "Content-Type: application/json");
        }
        String origin = request.getHeaderString("Origin");
        if (origin != null ? !origins.allows(origin, host) : "cross-site".equalsIgnoreCase(request.getHeaderString("Sec-Fetch-Site"))) {
            return Problem.response(403, "Cross-site request refused", "a page of another site cannot change anything here;"
                    + " a dashboard that calls this service from its own origin must be listed in ARCHON_SYNC_CORS_ORIGINS");
        }
        return null;
    }

    private static boolean json(ContainerRequestContext request) {
        MediaType type;
        try {
            type = request.getMediaType();
        } catch (IllegalArgumentException e) {
            return false; // not even a media type
        }
        return type != null && "application".equalsIgnoreCase(type.getType()) && "json".equalsIgnoreCase(type.getSubtype());
    }
}
