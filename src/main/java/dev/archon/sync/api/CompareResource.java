package dev.archon.sync.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.Operation;
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
@APIResponse(responseCode = "401", description = "no or a wrong X-API-Key", content = @Content(mediaType = OpenApiDefinition.PROBLEM, schema = @Schema(implementation = Problem.class)))
public class CompareResource {
    private final SyncService syncs;

    public CompareResource(SyncService syncs) {
        this.syncs = syncs;
    }

    @Operation(summary = "Local vs remote, table by table")
    @APIResponse(responseCode = "200", description = "per table: rows on each side, drift, what each direction would do", content = @Content(mediaType = OpenApiDefinition.JSON, schema = @Schema(implementation = DatabaseComparison.Result.class)))
    @APIResponse(responseCode = "502", description = "a database is unreachable", content = @Content(mediaType = OpenApiDefinition.PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "ARCHON_SYNC_LOCAL_URL/REMOTE_URL missing or invalid", content = @Content(mediaType = OpenApiDefinition.PROBLEM, schema = @Schema(implementation = Problem.class)))
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
