package dev.archon.sync.engine;

/** One reason preflight will not start a sync; {@code code} is stable for clients, {@code message} for people. */
public record Refusal(String code, String message) {
}
