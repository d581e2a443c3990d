package dev.archon.sync.engine;

/** Another sync of the same database pair is running (here or in another instance). */
public class SyncConflictException extends RuntimeException {
    private final String runningSyncId;

    public SyncConflictException(String message, String runningSyncId) {
        super(message);
        this.runningSyncId = runningSyncId;
    }

    public String runningSyncId() {
        return runningSyncId;
    }
}
