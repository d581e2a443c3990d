package dev.archon.sync.engine.session;

import dev.archon.sync.engine.CancelSignal;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncSettings;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one target transaction, owned from the session's opening to its close: {@link #begin}, {@link #lock},
 * {@link #commit}. Closing it without a COMMIT rolls back, so whatever ends a sync early — an error, a
 * cancel, a lost connection — leaves the target exactly as it was. The session also carries the sync's
 * advisory lock (taken in preflight), released when it closes.
 */
public final class TargetTransaction implements AutoCloseable {
    private static final Pattern MEMORY = Pattern.compile("^\\d+\\s*(kB|MB|GB|TB)?$");
    private final Connection session;
    private final Duration lockTimeout;
    private final SyncJob job;
    private volatile boolean committed;

    private TargetTransaction(Connection session, Duration lockTimeout, SyncJob job) {
        this.session = session;
        this.lockTimeout = lockTimeout;
        this.job = job;
    }

    public static TargetTransaction connect(PgUri uri, SyncJob job, SyncSettings settings) throws SQLException {
        return new TargetTransaction(Sessions.open(uri, "target", job, settings.stallTimeout()), settings.lockTimeout(), job);
    }

    public Connection connection() {
        return session;
    }

    /**
     * BEGIN, and the settings the load needs for this transaction only. No trigger may fire while loading
     * (Archon's would rewrite updated_at, write task history and touch MCP sessions); FK checks are off
     * too, so verification checks every FK itself.
     */
    public void begin(String maintenanceWorkMem) throws SQLException {
        session.setAutoCommit(false);
        Sql.exec(session, "SET LOCAL session_replication_role = replica");
        Sql.exec(session, "SET LOCAL lock_timeout = " + lockTimeout.toMillis());
        Sql.exec(session, "SET LOCAL statement_timeout = 0");
        Sql.exec(session, "SET LOCAL idle_in_transaction_session_timeout = 0");
        String mwm = maintenanceWorkMem.trim();
        if (MEMORY.matcher(mwm).matches()) {
            Sql.queryString(session, "SELECT set_config('maintenance_work_mem', ?, true)", mwm);
        }
    }

    /** ACCESS EXCLUSIVE on the tables until COMMIT or rollback: nobody reads half a load or writes into it. */
    public void lock(List<TableName> tables) throws SQLException {
        lock(tables, "ACCESS EXCLUSIVE");
    }

    /**
     * ROW EXCLUSIVE on tables written as a row delta: what its DELETE and COPY take anyway, taken up front so
     * the lock_timeout applies here. Readers never wait for it; other writers wait only on the rows it changes.
     */
    public void lockForRowChanges(List<TableName> tables) throws SQLException {
        lock(tables, "ROW EXCLUSIVE");
    }

    /** SHARE on tables left as they are: readers go on, writers wait until COMMIT (they cannot slip in after the check). */
    public void lockAgainstWriters(List<TableName> tables) throws SQLException {
        lock(tables, "SHARE");
    }

    private void lock(List<TableName> tables, String mode) throws SQLException {
        if (tables.isEmpty()) {
            return;
        }
        try {
            Sql.exec(session, "LOCK TABLE " + tables.stream().map(TableName::sql).collect(Collectors.joining(", "))
                    + " IN " + mode + " MODE");
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                throw new SQLException("the target's tables stayed locked by other sessions for "
                        + lockTimeout.toSeconds() + " s (lock_timeout); nothing was changed", e.getSQLState(), e);
            }
            throw e;
        }
    }

    @FunctionalInterface
    public interface Reading<T> {
        T read(Connection c) throws SQLException;
    }

    /** Preflight's reads and "may we?"s: in a transaction that is rolled back at once. */
    public <T> T inRolledBackTransaction(Reading<T> reading) throws SQLException {
        session.setAutoCommit(false);
        try {
            return reading.read(session);
        } finally {
            session.rollback();
            session.setAutoCommit(true);
        }
    }

    public void rehearse(String sql) throws SQLException {
        inRolledBackTransaction(c -> {
            Sql.exec(c, sql);
            return null;
        });
    }

    /** The point of no return: a cancel that came first wins (nothing is committed), a later one is refused. */
    public void commit(CancelSignal cancel) throws SQLException {
        cancel.beginCommit();
        session.commit();
        committed = true;
        session.setAutoCommit(true);
    }

    public boolean committed() {
        return committed;
    }

    @Override
    public void close() {
        try {
            if (!committed && !session.isClosed() && !session.getAutoCommit()) {
                session.rollback();
            }
        } catch (SQLException ignored) {
            // a dead connection has rolled back on the server already
        }
        Sessions.close(job, session);
    }
}
