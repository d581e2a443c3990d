package dev.archon.sync.api;

/**
 * The JSON body of POST /api/database/sync (snake_case: dry_run). {@code full}: replace every table, also
 * those already equal to the source's (without it only the tables that differ are reloaded).
 * {@code keep_target_credentials}: the target keeps its own encrypted settings (API keys), the source's are not copied.
 */
public record SyncRequestBody(String direction, Boolean force, Boolean backup, Boolean dryRun, String trigger,
        Boolean schema, Boolean full, Boolean keepTargetCredentials) {
}
