package dev.archon.sync.engine;

import java.util.List;

/**
 * What validating a sync found. Only {@link Ready} holds anything open (see {@link PreparedSync}); the job
 * already reports every other outcome as its final status.
 */
public sealed interface Validation {

    /** Validated and planned; launch it (or close it: nothing was touched). */
    record Ready(PreparedSync sync) implements Validation {
    }

    /** Preflight said no, for reasons the user can act on (422); nothing was touched. */
    record Refused(List<Refusal> refusals) implements Validation {
    }

    /** Another sync holds the databases (409), in this instance or another. */
    record Conflict(String message) implements Validation {
    }

    /** Cancelled while validating. */
    record Cancelled() implements Validation {
    }

    /**
     * Validation itself broke (a lost connection, a catalog query that failed, a bug): not a refusal.
     *
     * @param databaseTrouble a database error caused it (503: try again), otherwise the service's own fault (500)
     */
    record Failed(String cause, boolean databaseTrouble) implements Validation {
    }
}
