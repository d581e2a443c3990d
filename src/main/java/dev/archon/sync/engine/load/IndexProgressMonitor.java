package dev.archon.sync.engine.load;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.session.IntervalThread;
import dev.archon.sync.engine.session.Sessions;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.DoubleConsumer;

/**
 * Watches pg_stat_progress_create_index for the loading backend from a second connection, so the
 * progress bar moves inside a long index build (an ivfflat with many lists takes tens of seconds).
 * Reports the fraction of the current build: blocks scanned, then tuples loaded. It owns its thread and
 * its connection: {@link #close()} stops the thread and waits for it before closing the connection.
 */
final class IndexProgressMonitor implements AutoCloseable {
    private static final String QUERY = "SELECT phase, blocks_total, blocks_done, tuples_total, tuples_done "
            + "FROM pg_stat_progress_create_index WHERE pid = ?";
    private static final Duration EVERY = Duration.ofMillis(500);
    private final Connection monitor;
    private final SyncJob job;
    private final IntervalThread poller;

    private IndexProgressMonitor(Connection monitor, SyncJob job, int pid, DoubleConsumer fraction) {
        this.monitor = monitor;
        this.job = job;
        this.poller = monitor == null ? null : new IntervalThread("index-progress", EVERY, () -> poll(pid, fraction));
        if (poller != null) {
            poller.start();
        }
    }

    /** Starts watching the target connection's backend; a monitor that cannot connect just stays silent. */
    static IndexProgressMonitor watch(SyncContext ctx, DoubleConsumer fraction) {
        try {
            int pid = (int) Sql.queryLong(ctx.targetConnection, "SELECT pg_backend_pid()");
            // one of the sync's sessions: the stall watchdog cuts it too, so close() never waits on a silent server
            return new IndexProgressMonitor(ctx.connect(ctx.target, "progress"), ctx.job, pid, fraction);
        } catch (SQLException e) {
            return new IndexProgressMonitor(null, ctx.job, 0, f -> { });
        }
    }

    /** One look at the build; always true: the monitor watches until it is closed. */
    private boolean poll(int pid, DoubleConsumer fraction) {
        try (PreparedStatement ps = monitor.prepareStatement(QUERY)) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !poller.stopped()) {
                    double blocks = rs.getLong(2) > 0 ? (double) rs.getLong(3) / rs.getLong(2) : 0;
                    double tuples = rs.getLong(4) > 0 ? (double) rs.getLong(5) / rs.getLong(4) : 0;
                    // scanning the table is roughly the first half of a build, loading the index the second
                    fraction.accept(rs.getString(1).contains("loading tuples") ? 0.5 + 0.5 * tuples : 0.5 * blocks);
                }
            }
        } catch (SQLException | RuntimeException ignored) {
            // progress is best effort; the build itself is unaffected
        }
        return true;
    }

    @Override
    public void close() {
        if (poller == null) {
            return;
        }
        poller.close(); // a poll in flight is one short catalog query
        Sessions.close(job, monitor);
    }
}
