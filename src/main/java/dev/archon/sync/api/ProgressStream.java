package dev.archon.sync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncJob;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One subscriber's view of a sync as Server-Sent Events: the current state at once, then every change
 * (sampled every 200 ms, so at most 5 events a second however fast the sync moves), a heartbeat
 * comment every 15 s for proxies, and one final event named after the outcome, after which the stream
 * ends. Sampling the job's snapshot never blocks and never touches the sync: a slow or vanished
 * subscriber only loses its own events.
 */
final class ProgressStream {
    static final Duration SAMPLE = Duration.ofMillis(200);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private ProgressStream() {
    }

    static Multi<OutboundSseEvent> of(SyncJob job, Sse sse, ObjectMapper json) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<ProgressEvent> last = new AtomicReference<>();
            AtomicLong seq = new AtomicLong();
            Runnable sample = () -> {
                ProgressEvent ev = job.snapshot();
                ProgressEvent prev = last.get();
                if (prev != null && !changed(prev, ev)) {
                    return;
                }
                last.set(ev);
                boolean done = ev.status().isFinal();
                emitter.emit(sse.newEventBuilder().id(Long.toString(seq.incrementAndGet()))
                        .name(done ? ev.status().wire() : "progress").data(toJson(json, ev)).build());
                if (done) {
                    emitter.complete();
                }
            };
            sample.run();
            if (job.status().isFinal() && last.get() != null && last.get().status().isFinal()) {
                return;
            }
            Cancellable ticks = Multi.createFrom().ticks().every(SAMPLE).onOverflow().drop()
                    .subscribe().with(t -> sample.run(), emitter::fail);
            Cancellable beats = Multi.createFrom().ticks().startingAfter(HEARTBEAT).every(HEARTBEAT).onOverflow().drop()
                    .subscribe().with(t -> emitter.emit(sse.newEventBuilder().comment("heartbeat").build()), emitter::fail);
            emitter.onTermination(() -> {
                ticks.cancel();
                beats.cancel();
            });
        });
    }

    /** A change worth sending: anything but the clock (elapsed/eta move every sample). */
    static boolean changed(ProgressEvent a, ProgressEvent b) {
        return a.status() != b.status() || a.phase() != b.phase() || a.percentComplete() != b.percentComplete()
                || a.rowsSynced() != b.rowsSynced() || a.tablesCompleted() != b.tablesCompleted()
                || !Objects.equals(a.currentTable(), b.currentTable()) || !Objects.equals(a.message(), b.message());
    }

    private static String toJson(ObjectMapper json, ProgressEvent ev) {
        try {
            return json.writeValueAsString(ev);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
