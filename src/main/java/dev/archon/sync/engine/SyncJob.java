package dev.archon.sync.engine;

import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.engine.plan.TableSet;
import dev.archon.sync.engine.session.SyncSessions;
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
 * One sync's live state. Every change happens under one lock, which also builds the immutable
 * {@link ProgressEvent} of that moment, publishes it (a volatile swap) and hands it to the subscribers,
 * so they see every change, whole and in order. Readers ({@link #snapshot()}) take the last published
 * event without locking, with its clock brought up to date. Progress only moves forward, and phases only
 * in their order.
 */
public final class SyncJob {
    private final String id = UUID.randomUUID().toString();
    private final SyncRequest request;
    private final Instant startedAt = Instant.now();
    private final CancelSignal cancel = new CancelSignal();
    private final SyncSessions sessions = new SyncSessions();
    private final List<Consumer<ProgressEvent>> listeners = new CopyOnWriteArrayList<>();

    // guarded by this
    private SyncStatus status = SyncStatus.RUNNING;
    private Phase phase = Phase.VALIDATING;
    private long phaseStartNanos = System.nanoTime();
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
    private ProgressEvent.Outcome outcome;
    private List<Refusal> refusals = List.of();
    private SyncPlan plan;
    private List<SyncPlan.Decision> decisions = List.of();
    private final List<SyncReport.TableResult> tableResults = new ArrayList<>();
    private final List<SyncReport.IndexResult> indexResults = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<Notice> notices = new ArrayList<>();
    private SyncReport.SmokeTestResult smokeTest;
    private List<TableSet.LeftOut> leftOut = List.of();

    private volatile ProgressEvent published;
    private volatile SyncReport publishedReport;

    public SyncJob(SyncRequest request) {
        this.request = request;
        synchronized (this) {
            publish();
        }
    }

    public String id() { return id; }
    public SyncRequest request() { return request; }
    public CancelSignal cancelSignal() { return cancel; }
    public SyncSessions sessions() { return sessions; }

    public SyncStatus status() { return published.status(); }
    public Phase phase() { return published.phase(); }
    public synchronized SyncPlan plan() { return plan; }

    /** Subscribers get every change, in order; they must not block (they run under the job's lock). */
    public AutoCloseable subscribe(Consumer<ProgressEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public synchronized void enterPhase(Phase next, String text) {
        if (next.ordinal() < phase.ordinal()) {
            throw new IllegalStateException("phase " + next.wire() + " after " + phase.wire());
        }
        closePhaseClock();
        phase = next;
        message = text;
        advance(next.percentAt(0));
        publish();
    }

    /** The table set is found: how many tables, and every other Archon table with why it is left out. */
    public synchronized void tablesFound(int synced, List<TableSet.LeftOut> others) {
        totalTables = synced;
        leftOut = List.copyOf(others);
        publish();
    }

    /** A fact the user must know that is not a refusal. */
    public synchronized void notice(Notice n) {
        notices.add(new Notice(n.code(), Redactor.redact(n.message())));
        publish();
    }

    public synchronized void planned(SyncPlan p) {
        plan = p;
        decisions = p.decisions();
        totalTables = p.tables().size();
        totalRows = p.totalRows();
        if (!request.isRestore()) {
            message = p.reloaded().isEmpty() ? "Planned: every table equals the source; nothing to write"
                    : "Planned: " + p.decisionSummary("reload", "left alone");
        }
        publish();
    }

    /** Within the current phase: how far it is (0..1) and what it is doing. */
    public synchronized void progress(double phaseFraction, String text) {
        advance(phase.percentAt(phaseFraction));
        if (text != null) {
            message = text;
        }
        publish();
    }

    /** Progress from a helper thread (a monitor): counted only while the job is still in that phase. */
    public synchronized void progressWithin(Phase expected, double phaseFraction) {
        if (phase == expected && !status.isFinal()) {
            advance(phase.percentAt(phaseFraction));
            publish();
        }
    }

    public synchronized void tableStarted(String table, double phaseFraction, String text) {
        currentTable = table;
        advance(phase.percentAt(phaseFraction));
        message = text;
        publish();
    }

    public synchronized void rowsMoved(long rowsDelta, long bytesDelta, double phaseFraction, String text) {
        rowsSynced += rowsDelta;
        bytesTransferred += bytesDelta;
        advance(phase.percentAt(phaseFraction));
        if (text != null) {
            message = text;
        }
        publish();
    }

    public synchronized void tableDone(SyncReport.TableResult result) {
        tableResults.add(result);
        if (result.reloaded()) { // the decision learns the bytes its COPY sent
            decisions = decisions.stream().map(d -> d.table().equals(result.table()) ? d.withBytesSent(result.bytes()) : d).toList();
        }
        tablesCompleted++;
        publish();
    }

    public synchronized void indexBuilt(SyncReport.IndexResult result) {
        indexResults.add(result);
        publish();
    }

    public synchronized void warn(String text) {
        warnings.add(Redactor.redact(text));
        publish();
    }

    public void completed(String text) {
        SyncReport.SmokeTestResult smoke;
        boolean nothingToDo;
        synchronized (this) {
            smoke = smokeTest;
            nothingToDo = plan != null && !request.isRestore() && plan.reloaded().isEmpty();
        }
        finish(SyncStatus.COMPLETED, nothingToDo ? ProgressEvent.Outcome.NOTHING_TO_DO : ProgressEvent.Outcome.COMPLETED,
                Phase.COMPLETED, smoke == null ? text : text + "; " + smoke.message(), null, List.of());
    }

    /** The check after COMMIT of a sync that created Archon's schema (SmokeTest). */
    public synchronized void smokeTested(SyncReport.SmokeTestResult result) {
        smokeTest = result;
        if (!result.passed()) {
            warnings.add(Redactor.redact(result.message()));
        }
        publish();
    }

    public void failed(String reason) {
        finish(SyncStatus.FAILED, ProgressEvent.Outcome.FAILED, null, "Sync failed: nothing was changed on the target", reason, List.of());
    }

    public void cancelled() {
        finish(SyncStatus.CANCELLED, ProgressEvent.Outcome.CANCELLED, null, "Sync cancelled: nothing was changed on the target", null, List.of());
    }

    public void refused(List<Refusal> reasons) {
        finish(SyncStatus.REFUSED, ProgressEvent.Outcome.REFUSED, null, "Sync refused by preflight: nothing was changed",
                reasons.isEmpty() ? null : reasons.get(0).message(), reasons);
    }

    /** A dry run ends here: validated, planned, nothing touched. */
    public void planOnly() {
        SyncPlan p;
        synchronized (this) {
            p = plan;
        }
        String would = p == null || request.isRestore() ? ""
                : p.reloaded().isEmpty() ? ": every table equals the source, a sync would write nothing"
                : ": a sync would reload " + p.decisionSummary("", "would be left alone");
        finish(SyncStatus.COMPLETED, ProgressEvent.Outcome.PLANNED, null, "Dry run: validated and planned, nothing was changed" + would, null, List.of());
    }

    private synchronized void finish(SyncStatus s, ProgressEvent.Outcome how, Phase finalPhase, String text, String reason,
            List<Refusal> reasons) {
        if (status.isFinal()) {
            return;
        }
        closePhaseClock();
        status = s;
        outcome = how;
        if (finalPhase != null) {
            phase = finalPhase;
            advance(100);
        }
        currentTable = s == SyncStatus.COMPLETED ? null : currentTable;
        message = text;
        error = reason == null ? null : Redactor.redact(reason);
        refusals = reasons.stream().map(r -> new Refusal(r.code(), Redactor.redact(r.message()))).toList();
        finishedAt = Instant.now();
        publish();
    }

    private void closePhaseClock() {
        long now = System.nanoTime();
        phaseSeconds.merge(phase, (now - phaseStartNanos) / 1e9, Double::sum);
        phaseStartNanos = now;
    }

    private void advance(double p) {
        if (p > percent) {
            percent = Math.min(100, p);
        }
    }

    /** The report of the last published moment (per table, per index, per phase, warnings). */
    public SyncReport report() {
        return publishedReport;
    }

    /** The last published state, its clock (elapsed, ETA) as of now. Never blocks. */
    public ProgressEvent snapshot() {
        ProgressEvent e = published;
        return e.status().isFinal() ? e : withClock(e, Instant.now());
    }

    /** Under the lock: the event of this moment, swapped in and delivered in order. */
    private void publish() {
        Map<String, Double> phases = new LinkedHashMap<>();
        phaseSeconds.forEach((k, v) -> phases.put(k.wire(), Math.round(v * 1000) / 1000.0));
        SyncReport r = new SyncReport(List.copyOf(tableResults), List.copyOf(indexResults), phases, List.copyOf(warnings), smokeTest);
        ProgressEvent e = withClock(new ProgressEvent(id, request.isRestore() ? "restore" : "sync", status, request.direction(),
                request.trigger(), phase, currentTable, tablesCompleted, totalTables, rowsSynced, totalRows, bytesTransferred,
                Math.round(percent * 10) / 10.0, startedAt, 0, null, message, error, request.restoreBackupId(), finishedAt,
                refusals, request.dryRun() ? plan : null, r.tables().isEmpty() && r.indexes().isEmpty() ? null : r,
                decisions, leftOut, List.copyOf(notices), request.dryRun(), outcome),
                finishedAt == null ? Instant.now() : finishedAt);
        publishedReport = r;
        published = e;
        for (Consumer<ProgressEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ignored) {
                // a broken subscriber never disturbs the sync
            }
        }
    }

    private static ProgressEvent withClock(ProgressEvent e, Instant now) {
        double elapsed = Duration.between(e.startedAt(), now).toMillis() / 1000.0;
        double pct = e.percentComplete();
        Long eta = null;
        if (e.status() == SyncStatus.RUNNING && pct >= 5 && pct < 100) {
            eta = Math.round(elapsed * (100 - pct) / pct);
        } else if (e.status().isFinal()) {
            eta = 0L;
        }
        return e.withClock(elapsed, eta);
    }
}
