package dev.archon.sync.api;

import dev.archon.sync.service.SyncService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The sync (or restore) running in this instance right now, so a page opened mid-sync can attach to
 * its event stream: 200 with its progress object, or 204 when nothing runs.
 */
@Path("/api/database/sync/current")
@Produces(MediaType.APPLICATION_JSON)
public class CurrentSyncResource {
    private final SyncService syncs;

    public CurrentSyncResource(SyncService syncs) {
        this.syncs = syncs;
    }

    @GET
    public Response current() {
        return syncs.running().map(j -> Response.ok(j.snapshot()).build()).orElseGet(() -> Response.noContent().build());
    }
}
