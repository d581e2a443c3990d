package dev.archon.sync.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponses;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.engine.SyncFailedException;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.SyncStatus;
import dev.archon.sync.engine.Trigger;
import dev.archon.sync.service.SyncService;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * The pre-sync backups, and the way back: a restore by the same all-or-nothing, verified load. What each
 * route answers is written in META-INF/openapi.yaml.
 */
@Path("/api/database/backups")
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {
    @Inject
    SyncService syncs;
    @Inject
    ObjectMapper json;

    /** Newest first: id, database, time, size, row counts per table. */
    @Operation(summary = "The pre-sync backups, newest first")
    @APIResponses
    @GET
    @Blocking
    public Response list() {
        try {
            return Response.ok(syncs.currentSettings().backups().list()).build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            return notConfigured(e);
        } catch (IOException e) {
            return unreadable(e);
        }
    }

    /**
     * Restores a backup: by default the target is backed up first, and a restore that would remove rows
     * the backup lacks is refused (422 data_loss) unless the body says {@code {"force": true}}.
     */
    @Operation(summary = "Restore a backup by the same verified one-transaction load")
    @APIResponses
    @POST
    @Path("/{id}/restore")
    @Blocking
    public Response restore(@PathParam("id") String id, String text, @Context HttpServerRequest http)
            throws com.fasterxml.jackson.core.JsonProcessingException {
        // the body is optional ({} or empty), always sent as JSON (SameOriginFilter); read as strictly as a sync's
        RestoreRequestBody body = text == null || text.isBlank() ? null : json.readValue(text, RestoreRequestBody.class);
        Optional<BackupManifest> backup;
        try {
            backup = syncs.currentSettings().backups().find(id);
        } catch (IllegalStateException | IllegalArgumentException e) {
            return notConfigured(e);
        } catch (IOException e) {
            return unreadable(e);
        }
        if (backup.isEmpty()) {
            return Problem.response(404, "Unknown backup", "no backup '" + id + "'; GET /api/database/backups lists them");
        }
        String who = "manual from " + (http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress());
        SyncJob job;
        try {
            boolean force = body != null && Boolean.TRUE.equals(body.force());
            boolean safetyBackup = body == null || body.backup() == null || body.backup();
            job = syncs.start(SyncRequest.restore(backup.get().database(), id, Trigger.MANUAL)
                    .force(force).backup(safetyBackup).requestedBy(who).build());
        } catch (SyncConflictException e) {
            return Problem.of(new Problem("about:blank", "A sync is already running", 409, e.getMessage(), e.runningSyncId(), null, null));
        } catch (SyncFailedException e) {
            return Problem.of(new Problem("about:blank", e.databaseTrouble() ? "A database failed during validation"
                    : "Validation failed", e.databaseTrouble() ? 503 : 500, e.getMessage(), e.syncId(), null, null));
        } catch (IllegalStateException | IllegalArgumentException e) {
            return notConfigured(e);
        }
        ProgressEvent state = job.snapshot();
        if (state.status() == SyncStatus.REFUSED) {
            return Problem.of(new Problem("about:blank", "Restore refused by preflight", 422, state.error(), job.id(),
                    state.refusals(), state));
        }
        return Response.accepted(state).location(URI.create("/api/database/sync/" + job.id())).build();
    }

    /** A missing or malformed URL: the parser's message names the problem and never the URL. */
    private static Response notConfigured(RuntimeException e) {
        return Problem.response(503, "The service is not configured", e.getMessage());
    }

    private Response unreadable(IOException e) {
        return Problem.response(500, "Backups unavailable", "the backup directory cannot be read ("
                + e.getClass().getSimpleName().replace("Exception", "") + "): check ARCHON_SYNC_BACKUP_DIR and its permissions");
    }
}
