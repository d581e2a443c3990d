package dev.archon.sync.api;

/** The JSON body of POST /api/database/sync (snake_case: dry_run). */
public record SyncRequestBody(String direction, Boolean force, Boolean backup, Boolean dryRun, String trigger,
        Boolean schema) {
}
