package dev.archon.sync.engine.load;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.session.Sessions;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
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
    private static final long EVERY_MILLIS = 500;
    private final Connection monitor;
    private final SyncJob job;
    private final Thread poller;
    private volatile boolean stopped;

    private IndexProgressMonitor(Connection monitor, SyncJob job, int pid, DoubleConsumer fraction) {
        this.monitor = monitor;
        this.job = job;
        this.poller = monitor == null ? null : new Thread(() -> pollUntilStopped(pid, fraction), "index-progress");
        if (poller != null) {
            poller.setDaemon(true);
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

    private void pollUntilStopped(int pid, DoubleConsumer fraction) {
        try {
            while (!stopped) {
                TimeUnit.MILLISECONDS.sleep(EVERY_MILLIS);
                if (!stopped) {
                    poll(pid, fraction);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts the sleep: done
        }
    }

    private void poll(int pid, DoubleConsumer fraction) {
        try (PreparedStatement ps = monitor.prepareStatement(QUERY)) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !stopped) {
                    double blocks = rs.getLong(2) > 0 ? (double) rs.getLong(3) / rs.getLong(2) : 0;
                    double tuples = rs.getLong(4) > 0 ? (double) rs.getLong(5) / rs.getLong(4) : 0;
                    // scanning the table is roughly the first half of a build, loading the index the second
                    fraction.accept(rs.getString(1).contains("loading tuples") ? 0.5 + 0.5 * tuples : 0.5 * blocks);
                }
            }
        } catch (SQLException | RuntimeException ignored) {
            // progress is best effort; the build itself is unaffected
        }
    }

    @Override
    public void close() {
        if (poller == null) {
            return;
        }
        stopped = true;
        poller.interrupt();
        boolean interrupted = false;
        while (poller.isAlive()) {
            try {
                poller.join(); // a poll in flight is one short catalog query
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Sessions.close(job, monitor);
    }
}
