package dev.archon.sync.engine;

/**
 * A sync that could not even be validated, for a reason that is not a refusal (see {@link Validation.Failed}).
 * Its job exists, with status failed and this cause in its error and history row.
 */
public class SyncFailedException extends RuntimeException {
    private final String syncId;
    private final boolean databaseTrouble;

    public SyncFailedException(String syncId, String cause, boolean databaseTrouble) {
        super(cause);
        this.syncId = syncId;
        this.databaseTrouble = databaseTrouble;
    }

    public String syncId() {
        return syncId;
    }

    /** True when a database error caused it (503, worth retrying); false for the service's own fault (500). */
    public boolean databaseTrouble() {
        return databaseTrouble;
    }
}
