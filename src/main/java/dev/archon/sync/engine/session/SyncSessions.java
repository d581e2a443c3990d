package dev.archon.sync.engine.session;

import dev.archon.sync.pg.PgUri;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The database sessions one sync has open, with their server and backend pid: so the {@link StallWatchdog}
 * can check they still exist and cut them, and a failure can say whose connection broke. It owns none of
 * them (the snapshot, the target transaction, the progress monitor each close their own through
 * {@link #close}); it only knows of them from opening to close.
 */
public final class SyncSessions {
    record Session(PgUri server, String role, Connection connection) {
    }

    private final List<Session> open = new CopyOnWriteArrayList<>();
    /** Backend pids as the server reports them (known a round trip after the session is registered). */
    private final java.util.Map<Connection, Integer> pids = new java.util.concurrent.ConcurrentHashMap<>();
    /** Sessions kept open only to be closed at the end (the source after its last row): nothing waits on them. */
    private final Set<Connection> resting = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void add(PgUri server, String role, Connection c) {
        open.add(new Session(server, role, c));
    }

    void identify(Connection c, int backendPid) {
        pids.put(c, backendPid);
    }

    /** The session's backend pid, or null while not known yet. */
    Integer pid(Session s) {
        return pids.get(s.connection());
    }

    /** The session is still open but the sync no longer waits on it: a silent server behind it stalls nothing. */
    void rest(Connection c) {
        resting.add(c);
    }

    /** Forgets the session and closes it (best effort: the server ends the session, and rolls back, on its own). */
    void close(Connection c) {
        open.removeIf(s -> s.connection() == c);
        resting.remove(c);
        pids.remove(c);
        Sessions.closeQuietly(c);
    }

    /** The sessions the sync is waiting on, on that server. */
    List<Session> watched(PgUri server) {
        return open.stream().filter(s -> s.server() == server && !resting.contains(s.connection())).toList();
    }

    /** The servers behind the sessions the sync is waiting on. */
    Set<PgUri> watchedServers() {
        Set<PgUri> servers = new LinkedHashSet<>();
        open.stream().filter(s -> !resting.contains(s.connection())).forEach(s -> servers.add(s.server()));
        return servers;
    }

    /** Every session of the sync on that server, resting ones included. */
    List<Session> on(PgUri server) {
        return open.stream().filter(s -> s.server() == server).toList();
    }

    /** The servers the sync has sessions on. */
    Set<PgUri> servers() {
        Set<PgUri> servers = new LinkedHashSet<>();
        open.forEach(s -> servers.add(s.server()));
        return servers;
    }

    /**
     * Cuts every session at once, from any thread: the sockets are closed without a round trip (a server that
     * does not answer would make a polite close or a cancel request wait as well), so whatever the sync's
     * thread is blocked in fails at once.
     */
    void abortAll() {
        for (Session s : open) {
            try {
                s.connection().abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // closed already
            }
        }
    }

    static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }
}
