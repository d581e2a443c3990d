package dev.archon.sync.engine;

import dev.archon.sync.pg.Redactor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One sync's live state. The engine's worker thread writes it; HTTP threads and SSE subscribers read
 * consistent snapshots ({@link #snapshot()}). Progress only moves forward.
 */
public final class SyncJob {
    private final String id = UUID.randomUUID().toString();
    private final SyncRequest request;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final CancelSignal cancel = new CancelSignal();
    private final List<Consumer<ProgressEvent>> listeners = new CopyOnWriteArrayList<>();

    private SyncStatus status = SyncStatus.RUNNING;
    private Phase phase = Phase.VALIDATING;
    private long phaseStartNanos = startNanos;
    private final Map<Phase, Double> phaseSeconds = new EnumMap<>(Phase.class);
    private String currentTable;
    private int tablesCompleted;
    private int totalTables;
    private long rowsSynced;
    private long totalRows;
    private long bytesTransferred;
    private double percent;
    private String message = "Validating";
    private String error;
    private Instant finishedAt;
    private List<Refusal> refusals = List.of();
    private SyncPlan plan;
    private final List<SyncReport.TableResult> tableResults = new ArrayList<>();
    private final List<SyncReport.IndexResult> indexResults = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private SyncReport.SmokeTestResult smokeTest;

    public SyncJob(SyncRequest request) {
        this.request = request;
    }

    public String id() { return id; }
    public SyncRequest request() { return request; }
    public CancelSignal cancelSignal() { return cancel; }

    public synchronized SyncStatus status() { return status; }
    public synchronized Phase phase() { return phase; }
    public synchronized SyncPlan plan() { return plan; }

    /** Subscribers get every change; they must not block (the engine's thread calls them). */
    public AutoCloseable subscribe(Consumer<ProgressEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public void enterPhase(Phase next, String text) {
        synchronized (this) {
            long now = System.nanoTime();
            phaseSeconds.merge(phase, (now - phaseStartNanos) / 1e9, Double::sum);
            phaseStartNanos = now;
            phase = next;
            message = text;
            advance(next.percentAt(0));
        }
        publish();
    }

    public void planned(SyncPlan p) {
        synchronized (this) {
            plan = p;
            totalTables = p.tables().size();
            totalRows = p.totalRows();
        }
        publish();
    }

    /** Within the current phase: how far it is (0..1) and what it is doing. */
    public void progress(double phaseFraction, String text) {
        synchronized (this) {
            advance(phase.percentAt(phaseFraction));
            if (text != null) {
                message = text;
            }
        }
        publish();
    }

    public void tableStarted(String table, double phaseFraction, String text) {
        synchronized (this) {
            currentTable = table;
            advance(phase.percentAt(phaseFraction));
            message = text;
        }
        publish();
    }

    public void rowsMoved(long rowsDelta, long bytesDelta, double phaseFraction, String text) {
        synchronized (this) {
            rowsSynced += rowsDelta;
            bytesTransferred += bytesDelta;
            advance(phase.percentAt(phaseFraction));
            message = text;
        }
        publish();
    }

    public void tableDone(SyncReport.TableResult result) {
        synchronized (this) {
            tableResults.add(result);
            tablesCompleted++;
        }
        publish();
    }

    public synchronized void indexBuilt(SyncReport.IndexResult result) {
        indexResults.add(result);
    }

    public synchronized void warn(String text) {
        warnings.add(Redactor.redact(text));
    }

    public void completed(String text) {
        SyncReport.SmokeTestResult smoke;
        synchronized (this) {
            smoke = smokeTest;
        }
        finish(SyncStatus.COMPLETED, Phase.COMPLETED, smoke == null ? text : text + "; " + smoke.message(), null, List.of());
    }

    /** The check after COMMIT of a sync that created Archon's schema (SmokeTest). */
    public synchronized void smokeTested(SyncReport.SmokeTestResult result) {
        smokeTest = result;
        if (!result.passed()) {
            warnings.add(Redactor.redact(result.message()));
        }
    }

    public void failed(String reason) {
        finish(SyncStatus.FAILED, null, "Sync failed: nothing was changed on the target", reason, List.of());
    }

    public void cancelled() {
        finish(SyncStatus.CANCELLED, null, "Sync cancelled: nothing was changed on the target", null, List.of());
    }

    public void refused(List<Refusal> reasons) {
        finish(SyncStatus.REFUSED, null, "Sync refused by preflight: nothing was changed",
                reasons.isEmpty() ? null : reasons.get(0).message(), reasons);
    }

    /** A dry run ends here: validated, planned, nothing touched. */
    public void planOnly() {
        finish(SyncStatus.COMPLETED, null, "Dry run: validated and planned, nothing was changed", null, List.of());
    }

    private void finish(SyncStatus s, Phase finalPhase, String text, String reason, List<Refusal> reasons) {
        synchronized (this) {
            if (status.isFinal()) {
                return;
            }
            long now = System.nanoTime();
            phaseSeconds.merge(phase, (now - phaseStartNanos) / 1e9, Double::sum);
            phaseStartNanos = now;
            status = s;
            if (finalPhase != null) {
                phase = finalPhase;
                advance(100);
            }
            currentTable = s == SyncStatus.COMPLETED ? null : currentTable;
            message = text;
            error = reason == null ? null : Redactor.redact(reason);
            refusals = reasons.stream().map(r -> new Refusal(r.code(), Redactor.redact(r.message()))).toList();
            finishedAt = Instant.now();
        }
        publish();
    }

    private void advance(double p) {
        if (p > percent) {
            percent = Math.min(100, p);
        }
    }

    public synchronized SyncReport report() {
        Map<String, Double> phases = new LinkedHashMap<>();
        phaseSeconds.forEach((k, v) -> phases.put(k.wire(), Math.round(v * 1000) / 1000.0));
        return new SyncReport(List.copyOf(tableResults), List.copyOf(indexResults), phases, List.copyOf(warnings), smokeTest);
    }

    public ProgressEvent snapshot() {
        SyncReport r = report();
        synchronized (this) {
            double elapsed = (finishedAt == null ? Duration.between(startedAt, Instant.now())
                    : Duration.between(startedAt, finishedAt)).toMillis() / 1000.0;
            Long eta = null;
            if (status == SyncStatus.RUNNING && percent >= 5 && percent < 100) {
                eta = Math.round(elapsed * (100 - percent) / percent);
            } else if (status.isFinal()) {
                eta = 0L;
            }
            return new ProgressEvent(id, request.isRestore() ? "restore" : "sync", status, request.direction(), request.trigger(), phase, currentTable,
                    tablesCompleted, totalTables, rowsSynced, totalRows, bytesTransferred,
                    Math.round(percent * 10) / 10.0, startedAt, elapsed, eta, message, error, request.restoreBackupId(), finishedAt, refusals,
                    request.dryRun() ? plan : null, r.tables().isEmpty() && r.indexes().isEmpty() ? null : r);
        }
    }

    private void publish() {
        if (listeners.isEmpty()) {
            return;
        }
        ProgressEvent e = snapshot();
        for (Consumer<ProgressEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ignored) {
                // a broken subscriber never disturbs the sync
            }
        }
    }
}
