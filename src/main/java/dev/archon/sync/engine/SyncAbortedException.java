package dev.archon.sync.engine;

/** The service stopped a running sync itself (see {@link CancelSignal#abort}); the message is for the user. */
public class SyncAbortedException extends RuntimeException {
    public SyncAbortedException(String reason) {
        super(reason);
    }
}
