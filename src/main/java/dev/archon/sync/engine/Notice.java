package dev.archon.sync.engine;

/**
 * Something the user must know that is not a refusal ({@code code} is stable for clients, {@code message} for
 * people): e.g. {@code schema_brought_along}, the DDL a sync runs on the target.
 */
public record Notice(String code, String message) {
}
