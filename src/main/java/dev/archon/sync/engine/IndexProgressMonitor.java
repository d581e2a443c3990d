package dev.archon.sync.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;

/**
 * Watches pg_stat_progress_create_index for the loading backend from a second connection, so the
 * progress bar moves inside a long index build (an ivfflat with many lists takes tens of seconds).
 * Reports the fraction of the current build: blocks scanned, then tuples loaded.
 */
final class IndexProgressMonitor implements AutoCloseable {
    private static final String QUERY = "SELECT phase, blocks_total, blocks_done, tuples_total, tuples_done "
            + "FROM pg_stat_progress_create_index WHERE pid = ?";
    private final Connection monitor;
    private final ScheduledExecutorService timer;

    private IndexProgressMonitor(Connection monitor, int pid, DoubleConsumer fraction) {
        this.monitor = monitor;
        if (monitor == null) {
            this.timer = null;
            return;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "index-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> poll(pid, fraction), 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Starts watching the target connection's backend; a monitor that cannot connect just stays silent. */
    static IndexProgressMonitor watch(SyncContext ctx, DoubleConsumer fraction) {
        try {
            int pid = (int) dev.archon.sync.pg.Sql.queryLong(ctx.targetConnection, "SELECT pg_backend_pid()");
            Connection c = ctx.target.connect("archon-db-sync progress");
            return new IndexProgressMonitor(c, pid, fraction);
        } catch (SQLException e) {
            return none();
        }
    }

    static IndexProgressMonitor none() {
        return new IndexProgressMonitor(null, 0, f -> { });
    }

    private void poll(int pid, DoubleConsumer fraction) {
        try (PreparedStatement ps = monitor.prepareStatement(QUERY)) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
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
        if (timer != null) {
            timer.shutdownNow();
            try {
                monitor.close();
            } catch (SQLException ignored) {
                // nothing to do
            }
        }
    }
}
