package dev.archon.sync.engine.session;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A daemon thread that waits an interval, takes one step, and again, until its owner closes it or a step says
 * there is nothing more to do. What watches a sync from the side (the stall watchdog, the index progress) runs on
 * one. The owner starts it and closes it: {@link #close()} stops it and waits until a step in flight has ended, so
 * the owner may close what the steps use right after.
 */
public final class IntervalThread implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * @param step one round; false ends the thread (its work is done)
     */
    public IntervalThread(String name, Duration every, BooleanSupplier step) {
        this.thread = new Thread(() -> {
            try {
                while (!stopped) {
                    TimeUnit.MILLISECONDS.sleep(every.toMillis());
                    if (stopped || !step.getAsBoolean()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // close() interrupts the sleep: done
            }
        }, name);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True once {@link #close()} has begun: a step checks it before it acts on what it found. */
    public boolean stopped() {
        return stopped;
    }

    /** Stops the thread and waits for it; an interrupt of the closing thread meanwhile is kept for it. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join(); // a step in flight is short: one catalog query, or a probe that gives up within its interval
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
