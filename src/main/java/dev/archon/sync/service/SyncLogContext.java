package dev.archon.sync.service;

import dev.archon.sync.engine.SyncJob;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jboss.logging.MDC;

/**
 * Puts the sync's id into the logging MDC ({@code sync_id}) of every line a sync writes — on the thread
 * that validates it and on the worker threads that run its phases — without the engine knowing about
 * logging context: the service sets it around the start, and the engine's executor carries it over.
 */
public final class SyncLogContext implements AutoCloseable {
    public static final String KEY = "sync_id";
    private final Object previous;

    private SyncLogContext(String syncId) {
        previous = MDC.get(KEY);
        MDC.put(KEY, syncId);
    }

    /** For the duration of a try-with-resources block on the calling thread. */
    public static SyncLogContext of(SyncJob job) {
        return new SyncLogContext(job.id());
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, previous);
        }
    }

    /** An executor whose tasks run with the MDC of the thread that submitted them (then clean up). */
    public static Executor propagating(Executor delegate) {
        return task -> {
            Map<String, Object> context = MDC.getMap();
            delegate.execute(() -> {
                Map<String, Object> before = MDC.getMap();
                MDC.clear();
                context.forEach(MDC::put);
                try {
                    task.run();
                } finally {
                    MDC.clear();
                    before.forEach(MDC::put);
                }
            });
        };
    }
}
