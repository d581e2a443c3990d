package dev.archon.sync.engine.session;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One question asked of both sides at once, each on its own session: the target's part on a thread of its own,
 * the source's on the caller's. The target's session is the caller's again only when its part has ended, so a
 * failure of the source's part waits for the target's before it is thrown.
 */
public record Sides<T>(T source, T target) {
    /** One side's part: reads on that side's session. */
    @FunctionalInterface
    public interface Part<T> {
        T read() throws SQLException;
    }

    /**
     * @param thread the name of the target's thread
     * @param doing  what the target's part does, for the message of its failure ("fingerprinting the target")
     */
    public static <T> Sides<T> atOnce(String thread, String doing, Part<T> source, Part<T> target) throws SQLException {
        FutureTask<T> onTarget = new FutureTask<>(target::read);
        Thread side = new Thread(onTarget, thread);
        side.setDaemon(true);
        side.start();
        T fromSource;
        try {
            fromSource = source.read();
        } catch (SQLException | RuntimeException e) {
            try {
                await(onTarget, doing); // the target's session is ours again only when its part has ended
            } catch (SQLException | RuntimeException ignored) {
                // the source's failure is the one to report
            }
            throw e;
        }
        return new Sides<>(fromSource, await(onTarget, doing));
    }

    private static <T> T await(FutureTask<T> task, String doing) throws SQLException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while " + doing, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SQLException(doing + " failed: " + e.getCause(), e.getCause());
        }
    }
}
