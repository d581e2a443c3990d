package dev.archon.sync.api;

/**
 * The optional JSON body of POST /api/database/backups/{id}/restore.
 *
 * @param force  restore even if the target has rows the backup lacks (they are lost; the safety backup keeps them)
 * @param backup back the target up before restoring (default true)
 */
public record RestoreRequestBody(Boolean force, Boolean backup) {
}
