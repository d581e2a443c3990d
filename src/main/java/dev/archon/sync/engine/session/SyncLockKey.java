package dev.archon.sync.engine.session;

/** The advisory lock key every archon-db-sync instance takes on both databases while a sync runs. */
public final class SyncLockKey {
    /** "ArchDBSy". */
    public static final long KEY = 0x4172636844425379L;

    private SyncLockKey() {
    }
}
