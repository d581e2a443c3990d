package dev.archon.sync.api;

import dev.archon.sync.engine.DatabaseComparison;
import dev.archon.sync.service.SyncService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;

/** Local vs remote, table by table, and what a sync in each direction would do. Touches nothing. */
@Path("/api/database/compare")
@Produces(MediaType.APPLICATION_JSON)
public class CompareResource {
    private final SyncService syncs;

    public CompareResource(SyncService syncs) {
        this.syncs = syncs;
    }

    @GET
    @Blocking
    public Response compare() {
        try {
            return Response.ok(DatabaseComparison.compare(syncs.currentSettings())).build();
        } catch (SQLException e) {
            return Problem.response(502, "A database is unreachable", e.getMessage());
        } catch (IllegalStateException | IllegalArgumentException e) {
            return Problem.response(503, "The service is not configured", e.getMessage());
        }
    }
}
