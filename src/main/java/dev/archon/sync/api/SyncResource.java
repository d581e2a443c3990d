package dev.archon.sync.api;

import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.SyncStatus;
import dev.archon.sync.engine.Trigger;
import dev.archon.sync.service.SyncService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** Start a sync and watch it. Validation runs before the answer, so a refusal is a 422 right away. */
@Path("/api/database/sync")
@Produces(MediaType.APPLICATION_JSON)
public class SyncResource {
    private final SyncService syncs;

    public SyncResource(SyncService syncs) {
        this.syncs = syncs;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(SyncRequestBody body) {
        if (body == null || body.direction() == null || body.direction().isBlank()) {
            return Problem.response(400, "Missing direction",
                    "the body must name a direction: {\"direction\": \"local-to-remote\"} or {\"direction\": \"remote-to-local\"}");
        }
        Direction direction;
        Trigger trigger;
        try {
            direction = Direction.parse(body.direction());
            trigger = body.trigger() == null ? Trigger.MANUAL : Trigger.parse(body.trigger());
        } catch (IllegalArgumentException e) {
            return Problem.response(400, "Invalid request", e.getMessage());
        }
        SyncRequest request = new SyncRequest(direction, Boolean.TRUE.equals(body.force()),
                body.backup() == null || body.backup(), Boolean.TRUE.equals(body.dryRun()), trigger);
        SyncJob job;
        try {
            job = syncs.start(request);
        } catch (SyncConflictException e) {
            return Problem.of(new Problem("about:blank", "A sync is already running", 409, e.getMessage(),
                    e.runningSyncId(), null, null));
        } catch (IllegalStateException | IllegalArgumentException e) {
            return Problem.response(503, "The service is not configured", e.getMessage());
        }
        ProgressEvent state = job.snapshot();
        if (state.status() == SyncStatus.REFUSED) {
            return Problem.of(new Problem("about:blank", "Sync refused by preflight", 422,
                    state.error() + (state.refusals().size() > 1 ? " (and " + (state.refusals().size() - 1) + " more)" : ""),
                    job.id(), state.refusals(), state));
        }
        if (request.dryRun()) {
            return Response.ok(state).build();
        }
        return Response.accepted(state).location(URI.create("/api/database/sync/" + job.id())).build();
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return syncs.find(id).map(j -> Response.ok(j.snapshot()).build())
                .orElseGet(() -> Problem.response(404, "Unknown sync", "no sync with id '" + id + "'"));
    }
}
