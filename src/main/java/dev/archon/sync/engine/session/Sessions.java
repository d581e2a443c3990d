package dev.archon.sync.engine.session;

import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/** Opens the sessions of one sync: named after it, interruptible by its cancel, known to its {@link SyncSessions}. */
public final class Sessions {
    private Sessions() {
    }

    /** A connection whose running statement a cancel interrupts; the caller owns it and closes it with {@link #close}. */
    public static Connection open(PgUri uri, String role, SyncJob job, java.time.Duration stallTimeout) throws SQLException {
        Connection c;
        try {
            // bounded: a server that accepts the connection and never answers must not hold the sync forever
            c = uri.connect("archon-db-sync " + role + " " + job.id(), StallWatchdog.loginTimeout(stallTimeout), null);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the " + role + " database " + uri + ": "
                    + Redactor.redact(e.getMessage()), e.getSQLState(), e);
        }
        try {
            job.sessions().add(uri, role, c); // first: the watchdog can cut it even if the next query never returns
            PGConnection pg = c.unwrap(PGConnection.class);
            job.cancelSignal().onInterrupt(() -> {
                try {
                    pg.cancelQuery();
                } catch (SQLException ignored) {
                    // the connection is gone already: nothing left to interrupt
                }
            });
            // the server's own pid (a session pooler may report another in its key data): the watchdog looks for it
            job.sessions().identify(c, (int) Sql.queryLong(c, "SELECT pg_backend_pid()"));
            return c;
        } catch (SQLException | RuntimeException e) {
            job.sessions().close(c);
            throw e;
        }
    }

    /** Closes a session {@link #open} opened for the job. */
    public static void close(SyncJob job, Connection c) {
        if (c != null) {
            job.sessions().close(c);
        }
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing is best effort: the server ends the session (and rolls back) on its own
            }
        }
    }
}
