package dev.archon.sync.engine;

import dev.archon.sync.pg.ToolProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * Cancellation of one sync. A cancel sets the flag (checked between steps, so a cancel that arrives
 * before the next statement or process still stops the sync) and runs the interrupters of whatever is
 * in flight (cancel the running statement, kill the child process). Once the COMMIT has begun the
 * cancel is refused: the truth from then on is "completed" (or a failed commit), never "cancelled".
 */
public final class CancelSignal implements ToolProcess.Interrupts {
    private final List<Runnable> interrupters = new ArrayList<>();
    private boolean cancelled;
    private boolean committing;

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

    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new SyncCancelledException();
        }
    }

    /** The point of no return: after this a cancel is refused. Fails if a cancel came first. */
    public synchronized void beginCommit() {
        throwIfCancelled();
        committing = true;
    }

    @Override
    public AutoCloseable onInterrupt(Runnable interrupter) {
        boolean runNow;
        synchronized (this) {
            interrupters.add(interrupter);
            runNow = cancelled;
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
