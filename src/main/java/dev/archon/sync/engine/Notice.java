package dev.archon.sync.engine;

/**
 * Something the user must know about a sync that is not a refusal (it goes ahead): e.g. {@code encrypted_settings},
 * how many encrypted settings it copies and what that means on the target, or {@code schema_brought_along}, the DDL
 * a sync runs on the target. Clients show {@code message} and branch on {@code code}, never on the text.
 */
public record Notice(String code, String message) {
}
