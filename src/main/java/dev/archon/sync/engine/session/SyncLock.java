package dev.archon.sync.engine.session;

import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.SyncConflictException;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One sync at a time per database pair, across every instance of the service: a session-level
 * advisory lock on both databases, always local first, then remote (a fixed order, so two instances
 * syncing in opposite directions cannot deadlock). The locks go with the sync's sessions.
 */
public final class SyncLock {
    static final long KEY = SyncLockKey.KEY;

    private SyncLock() {
    }

    public static void acquire(Direction direction, Connection source, Connection target) throws SQLException {
        boolean localIsSource = direction == Direction.LOCAL_TO_REMOTE;
        Connection local = localIsSource ? source : target;
        Connection remote = localIsSource ? target : source;
        if (!tryLock(local) || !tryLock(remote)) {
            throw new SyncConflictException("another sync of these databases is running (advisory lock " + KEY + " is held)", null);
        }
    }

    /** A restore touches one database: its lock is enough to exclude any sync of the pair. */
    public static void acquireTarget(Connection target) throws SQLException {
        if (!tryLock(target)) {
            throw new SyncConflictException("a sync or restore of this database is running (advisory lock " + KEY + " is held)", null);
        }
    }

    /**
     * A dry run only checks that no sync runs, then lets go: it writes nothing, so it must never keep a real sync
     * (or the nightly one) out while it fingerprints. Its reads give up on a table lock after a few seconds rather
     * than queue behind a sync that started meanwhile.
     */
    public static void releaseForDryRun(Connection source, Connection target) throws SQLException {
        for (Connection c : new Connection[] {source, target}) {
            Sql.queryString(c, "SELECT pg_advisory_unlock(?)::text", KEY);
            Sql.exec(c, "SET lock_timeout = '5s'");
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        return Sql.queryString(c, "SELECT pg_try_advisory_lock(?)::text", KEY).equals("true");
    }
}
