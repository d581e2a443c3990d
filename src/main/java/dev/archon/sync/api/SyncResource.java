package dev.archon.sync.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponses;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncFailedException;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.SyncStatus;
import dev.archon.sync.engine.Trigger;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.archon.sync.history.HistoryEntry;
import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.service.SyncService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * Start a sync and watch it. Validation runs before the answer, so a refusal is a 422 right away. What each
 * route answers (status, media type, body) is written in META-INF/openapi.yaml: the empty {@code @APIResponses}
 * on a method tells the OpenAPI scanner so.
 */
@Path("/api/database/sync")
@Produces(MediaType.APPLICATION_JSON)
public class SyncResource {
    @Inject
    SyncService syncs;
    @Inject
    SyncHistory history;
    @Inject
    StreamTokens tokens;
    @Inject
    ObjectMapper json;

    @Operation(summary = "Start a sync (validated before the answer)")
    @APIResponses
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(SyncRequestBody body, @Context io.vertx.core.http.HttpServerRequest http) {
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
            // a value is quoted back only when short: never a pasted secret or a megabyte of text
            return Problem.response(400, "Invalid request", e.getMessage().startsWith("unknown direction")
                    ? "unknown direction" + quoted(body.direction()) + ": use local-to-remote or remote-to-local"
                    : "unknown trigger" + quoted(body.trigger()) + ": use manual or cli");
        }
        if (trigger == Trigger.SCHEDULED) {
            return Problem.response(400, "Invalid request", "trigger 'scheduled' is the scheduler's own: use manual or cli");
        }
        SyncRequest request = SyncRequest.sync(direction, trigger)
                .force(Boolean.TRUE.equals(body.force()))
                .backup(body.backup() == null || body.backup())
                .dryRun(Boolean.TRUE.equals(body.dryRun()))
                .schema(Boolean.TRUE.equals(body.schema()))
                .full(Boolean.TRUE.equals(body.full()))
                .keepTargetCredentials(Boolean.TRUE.equals(body.keepTargetCredentials()))
                .requestedBy(trigger.wire() + " from " + (http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress()))
                .build();
        SyncJob job;
        try {
            job = syncs.start(request);
        } catch (SyncConflictException e) {
            return Problem.of(new Problem("about:blank", "A sync is already running", 409, e.getMessage(),
                    e.runningSyncId(), null, null));
        } catch (dev.archon.sync.service.DryRunBusyException e) {
            return Response.fromResponse(Problem.response(429, "A dry run is running", e.getMessage())).header("Retry-After", 2).build();
        } catch (SyncFailedException e) {
            return Problem.of(new Problem("about:blank", e.databaseTrouble() ? "A database failed during validation"
                    : "Validation failed", e.databaseTrouble() ? 503 : 500, e.getMessage(), e.syncId(), null, null));
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

    @Operation(summary = "A sync's progress")
    @APIResponses
    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return syncs.find(id).map(j -> Response.ok(j.snapshot()).build())
                .orElseGet(() -> fromHistory(id).map(h -> Response.ok(h).build())
                        .orElseGet(() -> Problem.response(404, "Unknown sync", "no sync with id '" + id + "'")));
    }

    /** The live progress as Server-Sent Events; ends after the final event. */
    @Operation(summary = "Live progress as Server-Sent Events")
    @APIResponses
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        Optional<SyncJob> job = syncs.find(id);
        if (job.isPresent()) {
            return ProgressStream.of(job.get(), sse, json);
        }
        // not in this instance's memory (a restart): the history's final state as the one and final event
        FinishedSync h = fromHistory(id).orElseThrow(() -> new NotFoundException("no sync with id '" + id + "'"));
        String data;
        try {
            data = json.writeValueAsString(h);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return Multi.createFrom().item(sse.newEventBuilder().id("1").name(h.isFinal() ? h.status() : "progress").data(data).build());
    }

    private static String quoted(String value) {
        return value.length() <= 40 && value.chars().noneMatch(Character::isISOControl) ? " '" + value + "'" : "";
    }

    /** A sync this instance does not hold (it restarted since): its history row, if the history is reachable. */
    private Optional<FinishedSync> fromHistory(String id) {
        try {
            return history.find(id).map(FinishedSync::of);
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** A five-minute token for the event stream of this sync, for clients that cannot send headers. */
    @Operation(summary = "A five-minute token for this sync's event stream")
    @APIResponses
    @POST
    @Path("/{id}/events/token")
    public Response streamToken(@PathParam("id") String id) {
        if (syncs.find(id).isEmpty()) {
            return Problem.response(404, "Unknown sync", "no sync with id '" + id + "'");
        }
        String token = tokens.issue(id);
        return Response.ok(Map.of("token", token, "expires_in", StreamTokens.LIFETIME.toSeconds(),
                "events_url", "/api/database/sync/" + id + "/events?token=" + token)).build();
    }

    @Operation(summary = "Cancel a running sync")
    @APIResponses
    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return syncs.cancel(id).map(accepted -> accepted
                ? Response.accepted(syncs.find(id).orElseThrow().snapshot()).build()
                : Problem.of(new Problem("about:blank", "Too late to cancel", 409,
                        "the sync is " + syncs.find(id).orElseThrow().status().wire()
                                + " or already committing; its final status tells the truth", id, null,
                        syncs.find(id).orElseThrow().snapshot())))
                .orElseGet(() -> Problem.response(404, "Unknown sync", "no sync with id '" + id + "' in this instance"));
    }

    @Operation(summary = "Sync history, newest first")
    @APIResponses
    @GET
    @Path("/history")
    @Blocking
    public Response history(@QueryParam("limit") @DefaultValue("20") String limitText) throws SQLException {
        int limit;
        try {
            limit = Integer.parseInt(limitText);
        } catch (NumberFormatException e) {
            return Problem.response(400, "Invalid limit", "limit must be a whole number from 1 to 500, not '" + limitText + "'");
        }
        if (limit < 1 || limit > 500) {
            return Problem.response(400, "Invalid limit", "limit must be from 1 to 500, not " + limit);
        }
        if (!history.available()) {
            return Problem.response(503, "History unavailable", "the local database (ARCHON_SYNC_LOCAL_URL) is not configured");
        }
        return Response.ok(history.list(limit)).build();
    }
}
