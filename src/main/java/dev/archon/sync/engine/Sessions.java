package dev.archon.sync.engine;

import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/** Opens the sessions of one sync: named after it, and interruptible by its cancel. */
final class Sessions {
    private Sessions() {
    }

    /** A connection whose running statement a cancel interrupts; the caller owns (and closes) it. */
    static Connection open(PgUri uri, String role, SyncJob job) throws SQLException {
        try {
            Connection c = uri.connect("archon-db-sync " + role + " " + job.id());
            PGConnection pg = c.unwrap(PGConnection.class);
            job.cancelSignal().onInterrupt(() -> {
                try {
                    pg.cancelQuery();
                } catch (SQLException ignored) {
                    // the connection is gone already: nothing left to interrupt
                }
            });
            return c;
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the " + role + " database " + uri + ": "
                    + Redactor.redact(e.getMessage()), e.getSQLState(), e);
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
