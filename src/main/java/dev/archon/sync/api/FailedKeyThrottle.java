package dev.archon.sync.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Guessing the key is slow: each client address may get {@value #BURST} wrong keys, then one more every
 * {@link #REFILL}; beyond that it gets 429 — even with the right key — until its allowance has grown back.
 * Memory is bounded (the oldest addresses are forgotten).
 */
@ApplicationScoped
public class FailedKeyThrottle {
    static final int BURST = 30;
    static final Duration REFILL = Duration.ofSeconds(2);
    private static final int ADDRESSES = 1024;
    private volatile Clock clock;
    private final Map<String, double[]> buckets = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > ADDRESSES;
        }
    };

    public FailedKeyThrottle() {
        this(Clock.systemUTC());
    }

    FailedKeyThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds until this address may try again; 0 when it may now. */
    public synchronized long retryAfter(String address) {
        double[] b = refreshed(address);
        return b[0] >= 1 ? 0 : (long) Math.ceil((1 - b[0]) * REFILL.toSeconds());
    }

    public synchronized void failed(String address) {
        double[] b = refreshed(address);
        b[0] = Math.max(0, b[0] - 1);
    }

    /** Forgets every address and goes back to the system clock (tests that spent an allowance on purpose). */
    public synchronized void reset() {
        buckets.clear();
        clock = Clock.systemUTC();
    }

    /** Tests: a clock that stands still, so no allowance grows back however slow the machine. */
    synchronized void useClock(Clock clock) {
        this.clock = clock;
    }

    /** [allowance, as of millis] */
    private double[] refreshed(String address) {
        long now = clock.millis();
        double[] b = buckets.computeIfAbsent(address == null ? "" : address, a -> new double[] {BURST, now});
        b[0] = Math.min(BURST, b[0] + (now - b[1]) / (double) REFILL.toMillis());
        b[1] = now;
        return b;
    }
}
