package dev.archon.sync.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponses;
import dev.archon.sync.engine.DatabaseComparison;
import dev.archon.sync.service.SyncService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;

/**
 * Local vs remote, table by table, and what a sync in each direction would do. Touches nothing, and never
 * waits behind a sync: while this instance runs one the answer is 409 with the running sync (its plan says
 * what it does) without opening a session; at most {@value #AT_ONCE} comparisons run at once (429 beyond);
 * each one's sessions give up on a lock, a statement or a login after a few seconds (503 "busy"). The
 * answers are written in META-INF/openapi.yaml.
 */
@jakarta.inject.Singleton
@Path("/api/database/compare")
@Produces(MediaType.APPLICATION_JSON)
public class CompareResource {
    static final int AT_ONCE = 2;
    private final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(AT_ONCE);
    @Inject
    SyncService syncs;

    @Operation(summary = "Local vs remote, table by table")
    @APIResponses
    @GET
    @Blocking
    public Response compare() {
        var running = syncs.running();
        if (running.isPresent()) {
            return Problem.of(new Problem("about:blank", "A sync is running", 409, "sync " + running.get().id() + " is replacing "
                    + "rows right now: compare after it finishes; its plan (in sync) says what it does", running.get().id(), null,
                    running.get().snapshot()));
        }
        if (!slots.tryAcquire()) {
            return Response.fromResponse(Problem.response(429, "Comparisons are running", AT_ONCE + " comparisons are running"
                    + " already: try again in a few seconds")).header("Retry-After", 2).build();
        }
        try {
            return Response.ok(DatabaseComparison.compare(syncs.currentSettings())).build();
        } catch (SQLException e) {
            if (busy(e)) {
                return Response.fromResponse(Problem.response(503, "A database is busy", "a database did not answer the comparison"
                        + " in time (a sync or another job holds Archon's tables): try again when it is done"))
                        .header("Retry-After", 5).build();
            }
            return Problem.response(502, "A database is unreachable", e.getMessage());
        } catch (IllegalStateException | IllegalArgumentException e) {
            return Problem.response(503, "The service is not configured", e.getMessage());
        } finally {
            slots.release();
        }
    }

    /** lock_timeout (55P03), statement_timeout (57014), too many connections (53300), anywhere in the chain. */
    private static boolean busy(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().equals("55P03") || s.getSQLState().equals("57014") || s.getSQLState().equals("53300"))) {
                return true;
            }
        }
        return false;
    }
}
