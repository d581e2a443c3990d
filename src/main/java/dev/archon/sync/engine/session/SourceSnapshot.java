package dev.archon.sync.engine.session;

import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One consistent, read-only view of the database rows are read from, owned from the session's
 * opening to its close: the sync's source (counts, catalog and every COPY see the same moment), or the
 * target for its pre-sync backup (exported, so pg_dump reads that same moment).
 * {@link #release()} ends the snapshot early and keeps the session (and its advisory lock).
 */
public final class SourceSnapshot implements AutoCloseable {
    private final Connection session;
    private final SyncJob job;

    private SourceSnapshot(Connection session, SyncJob job) {
        this.session = session;
        this.job = job;
    }

    /** Opens the session; the snapshot itself starts with {@link #begin()}. */
    public static SourceSnapshot connect(PgUri uri, String role, SyncJob job, java.time.Duration stallTimeout) throws SQLException {
        return new SourceSnapshot(Sessions.open(uri, role, job, stallTimeout), job);
    }

    /** REPEATABLE READ READ ONLY from here on; row_security off so a policy can never hide rows silently. */
    public void begin() throws SQLException {
        session.setAutoCommit(false);
        session.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        session.setReadOnly(true);
        Sql.exec(session, "SET LOCAL row_security = off");
        // a role-level timeout (Supabase sets some) must not cut a long COPY or the idle snapshot short
        Sql.exec(session, "SET LOCAL statement_timeout = 0");
        Sql.exec(session, "SET LOCAL idle_in_transaction_session_timeout = 0");
    }

    /** The snapshot's name for {@code pg_dump --snapshot}: valid until {@link #release()}. */
    String export() throws SQLException {
        return Sql.queryString(session, "SELECT pg_export_snapshot()");
    }

    public Connection connection() {
        return session;
    }

    /** Every row has been read: end the snapshot now rather than hold it through the index builds. */
    public void release() throws SQLException {
        if (!session.getAutoCommit()) {
            session.commit();
        }
        job.sessions().rest(session); // kept only for its advisory lock: a silent source no longer stalls the sync
    }

    @Override
    public void close() {
        Sessions.close(job, session);
    }
}
