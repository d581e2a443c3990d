package dev.archon.sync.engine;

public class SyncCancelledException extends RuntimeException {
    public SyncCancelledException() {
        super("the sync was cancelled");
    }
}
