package dev.archon.sync.engine;

import dev.archon.sync.pg.ToolProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * Cancellation of one sync. A cancel sets the flag (checked between steps, so a cancel that arrives
 * before the next statement or process still stops the sync) and runs the interrupters of whatever is
 * in flight (cancel the running statement, kill the child process). Once the COMMIT has begun the
 * cancel is refused: the truth from then on is "completed" (or a failed commit), never "cancelled".
 * An abort ({@link #abort}) is the service stopping the sync itself (a server stopped answering): the
 * same interrupters, but the sync fails with the abort's reason.
 */
public final class CancelSignal implements ToolProcess.Interrupts {
    private final List<Runnable> interrupters = new ArrayList<>();
    private boolean cancelled;
    private boolean committing;
    private String abortReason;

    /** @return false when it came too late (the COMMIT had already started) */
    public boolean cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (committing) {
                return false;
            }
            if (cancelled) {
                return true;
            }
            cancelled = true;
            toRun = new ArrayList<>(interrupters);
        }
        toRun.forEach(CancelSignal::runQuietly);
        return true;
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * Stops the sync from within the service: {@code cutSessions} first (it must not wait on the server), then
     * the interrupters (kill the child processes). A user's cancel that came first stays the outcome.
     *
     * @param reason what the user is told, in their words
     */
    public void abort(String reason, Runnable cutSessions) {
        List<Runnable> toRun;
        synchronized (this) {
            if (!cancelled && abortReason == null) {
                abortReason = reason + (committing ? "; this happened during the COMMIT, so whether the target has the new rows"
                        + " is not known: compare the databases before trusting either"
                        : "; nothing was committed (the server rolls the open transaction back when it notices the session is gone)");
            }
            toRun = new ArrayList<>(interrupters);
        }
        runQuietly(cutSessions);
        toRun.forEach(CancelSignal::runQuietly);
    }

    /** The service stops a sync itself only when a server went silent (see {@link StallWatchdog}). */
    @Override
    public boolean serverSilent() {
        return abortReason() != null;
    }

    /** Why the service stopped the sync itself, or null. */
    public synchronized String abortReason() {
        return abortReason;
    }

    public void throwIfCancelled() {
        String aborted;
        synchronized (this) {
            if (cancelled) {
                throw new SyncCancelledException();
            }
            aborted = abortReason;
        }
        if (aborted != null) {
            throw new SyncAbortedException(aborted);
        }
    }

    /** The point of no return: after this a cancel is refused. Fails if a cancel or an abort came first. */
    public synchronized void beginCommit() {
        throwIfCancelled();
        committing = true;
    }

    @Override
    public AutoCloseable onInterrupt(Runnable interrupter) {
        boolean runNow;
        synchronized (this) {
            interrupters.add(interrupter);
            runNow = cancelled || abortReason != null;
        }
        if (runNow) {
            runQuietly(interrupter);
        }
        return () -> {
            synchronized (this) {
                interrupters.remove(interrupter);
            }
        };
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // an interrupter that fails leaves the flag set; the step notices it next
        }
    }
}
