package dev.archon.sync.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import dev.archon.sync.pg.Sql;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.flyway.FlywayDataSource;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * The sync history in the local database (archon_sync.archon_sync_history). Rows are written on their
 * own connection by one background writer at each phase change and at the end, so a slow or busy
 * local database never slows a sync, and a sync that loads the local database still gets its row.
 */
@ApplicationScoped
public class SyncHistory {
    static final String SCHEMA = "archon_sync";
    static final String FLYWAY_TABLE = "archon_sync_schema_history";
    private static final Logger LOG = Logger.getLogger(SyncHistory.class);
    private static final String COLUMNS = "sync_id, direction, trigger, status, phase, forced, backup, dry_run, requested_by, "
            + "started_at, finished_at, rows_synced, total_rows, bytes_transferred, phase_seconds, tables, refusals, message, error, "
            + "operation, backup_id, left_out";

    private final ObjectMapper json;
    /** ARCHON_SYNC_HISTORY_KEEP_DAYS: finished rows older than this are deleted (dry runs and refusals add up). */
    private final int keepDays;
    private final String instance = ManagementFactory.getRuntimeMXBean().getName();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sync-history-writer");
        t.setDaemon(true);
        return t;
    });
    /** The pooled `local` datasource (inactive when ARCHON_SYNC_LOCAL_URL is not set). Stateless use only. */
    private final InjectableInstance<AgroalDataSource> pool;
    /** quarkus-flyway for the `local` datasource: schema archon_sync, table archon_sync_schema_history. */
    private final InjectableInstance<Flyway> flyway;
    private volatile boolean migrated;

    public SyncHistory(ObjectMapper json, @DataSource("local") InjectableInstance<AgroalDataSource> pool,
            @FlywayDataSource("local") InjectableInstance<Flyway> flyway,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "archon.sync.history.keep-days", defaultValue = "90") int keepDays) {
        this.json = json;
        this.pool = pool;
        this.flyway = flyway;
        this.keepDays = keepDays;
    }

    /** Creates or upgrades the table now (start-up); throws when the local database cannot be reached. */
    public void open() {
        migrate();
    }

    /**
     * Kept for callers written before the pool: the datasource is configured from the same
     * ARCHON_SYNC_LOCAL_URL, so this is {@link #open()}.
     */
    public void open(PgUri localUri) {
        open();
    }

    /** Runs the migrations; a database that was down at start-up gets them on first use. */
    public synchronized void migrate() {
        flyway.get().migrate();
        migrated = true;
    }

    /** Whether the table is known to exist (migrated since start, or it was found there). */
    public boolean migrated() {
        return migrated;
    }

    /** The local database is configured (its datasource is active). */
    public boolean available() {
        return pool.getHandle().getBean().isActive();
    }

    /** A pooled connection to the local database, with the history table created first if need be. */
    private Connection connection() throws SQLException {
        if (!migrated) {
            try {
                migrate();
            } catch (RuntimeException e) {
                throw new SQLException("the sync history table could not be created: " + Redactor.redact(rootCause(e)), "08001", e);
            }
        }
        return pool.get().getConnection();
    }

    /**
     * Follows the job: a row at once, then an update at every phase change and at the end. The first row
     * is written before this returns (through the writer, so it stays first), so a service killed at any
     * later moment leaves a row that start-up recovery marks failed and the sync's id stays resolvable.
     */
    public void track(SyncJob job) {
        if (!available()) {
            return;
        }
        ProgressEvent first = job.snapshot();
        Object[] last = {first.status(), first.phase()};
        write(first, job);
        flush();
        job.subscribe(ev -> {
            synchronized (last) {
                if (Objects.equals(last[0], ev.status()) && Objects.equals(last[1], ev.phase())) {
                    return;
                }
                last[0] = ev.status();
                last[1] = ev.phase();
            }
            write(ev, job);
        });
    }

    private void write(ProgressEvent ev, SyncJob job) {
        writer.execute(() -> {
            try {
                upsert(ev, job);
                if (ev.status().isFinal()) {
                    deleteExpired();
                }
            } catch (SQLException e) {
                if (isMissingTable(e)) { // the local database was recreated under us: recreate the table once
                    try {
                        migrate();
                        upsert(ev, job);
                        return;
                    } catch (RuntimeException | SQLException again) {
                        e = again instanceof SQLException s ? s : e;
                    }
                }
                LOG.warnf("could not write sync history for %s: %s", ev.syncId(), Redactor.redact(e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warnf("could not write sync history for %s: %s", ev.syncId(), Redactor.redact(e.getMessage()));
            }
        });
    }

    private void upsert(ProgressEvent ev, SyncJob job) throws SQLException {
        String sql = "INSERT INTO " + SCHEMA + ".archon_sync_history (" + COLUMNS + ", instance) VALUES "
                + "(?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?) "
                + "ON CONFLICT (sync_id) DO UPDATE SET status = excluded.status, phase = excluded.phase, "
                + "finished_at = excluded.finished_at, rows_synced = excluded.rows_synced, total_rows = excluded.total_rows, "
                + "bytes_transferred = excluded.bytes_transferred, phase_seconds = excluded.phase_seconds, "
                + "tables = excluded.tables, refusals = excluded.refusals, message = excluded.message, "
                + "error = excluded.error, left_out = excluded.left_out, updated_at = now()";
        var report = job.report();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, ev.syncId());
            ps.setString(i++, ev.direction().wire());
            ps.setString(i++, ev.trigger().wire());
            ps.setString(i++, ev.status().wire());
            ps.setString(i++, ev.phase().wire());
            ps.setBoolean(i++, job.request().force());
            ps.setBoolean(i++, job.request().backup());
            ps.setBoolean(i++, job.request().dryRun());
            ps.setString(i++, job.request().requestedBy());
            ps.setTimestamp(i++, Timestamp.from(ev.startedAt()));
            ps.setTimestamp(i++, ev.finishedAt() == null ? null : Timestamp.from(ev.finishedAt()));
            ps.setLong(i++, ev.rowsSynced());
            ps.setLong(i++, ev.totalRows());
            ps.setLong(i++, ev.bytesTransferred());
            ps.setString(i++, toJson(report.phaseSeconds()));
            ps.setString(i++, toJson(report.tables()));
            ps.setString(i++, toJson(ev.refusals()));
            ps.setString(i++, Redactor.redact(ev.message()));
            ps.setString(i++, Redactor.redact(ev.error()));
            ps.setString(i++, ev.operation());
            ps.setString(i++, ev.backupId());
            ps.setString(i++, toJson(ev.leftOut()));
            ps.setString(i, instance);
            ps.executeUpdate();
        }
    }

    /**
     * Removes the row of an attempt that turned out not to be one (another instance held the databases:
     * a 409 leaves no row); after anything already queued for it, and before this returns.
     */
    public void forget(SyncJob job) {
        if (!available()) {
            return;
        }
        writer.execute(() -> {
            try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA
                    + ".archon_sync_history WHERE sync_id = ?::uuid")) {
                ps.setString(1, job.id());
                ps.executeUpdate();
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("could not remove the history row of %s: %s", job.id(), Redactor.redact(e.getMessage()));
            }
        });
        flush();
    }

    /** Deletes finished rows older than the retention (never a running one); 0 or less keeps everything. */
    int deleteExpired() throws SQLException {
        if (keepDays <= 0) {
            return 0;
        }
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA
                + ".archon_sync_history WHERE status <> 'running' AND coalesce(finished_at, started_at) < now() - make_interval(days => ?)")) {
            ps.setInt(1, keepDays);
            return ps.executeUpdate();
        }
    }

    /** One row by id (a sync this instance no longer knows, e.g. after a restart). */
    public Optional<HistoryEntry> find(String syncId) throws SQLException {
        if (!available() || syncId == null || !syncId.matches("[0-9a-fA-F-]{36}")) {
            return Optional.empty();
        }
        return select(" WHERE sync_id = ?::uuid", syncId, 1).stream().findFirst();
    }

    public List<HistoryEntry> list(int limit) throws SQLException {
        return select("", null, limit);
    }

    private List<HistoryEntry> select(String where, String param, int limit) throws SQLException {
        String sql = "SELECT " + COLUMNS + ", extract(epoch FROM (finished_at - started_at))::float8 AS duration FROM " + SCHEMA
                + ".archon_sync_history" + where + " ORDER BY started_at DESC LIMIT ?";
        List<HistoryEntry> out = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (param != null) {
                ps.setString(i++, param);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HistoryEntry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getString(9), rs.getTimestamp(10).toInstant(),
                            rs.getTimestamp(11) == null ? null : rs.getTimestamp(11).toInstant(), (Double) rs.getObject("duration"),
                            rs.getLong(12), rs.getLong(13), rs.getLong(14), readJson(rs.getString(15)), readJson(rs.getString(16)),
                            readJson(rs.getString(17)), rs.getString(18), rs.getString(19), rs.getString("operation"), rs.getString("backup_id"),
                            readJson(rs.getString("left_out"))));
                }
            }
        } catch (SQLException e) {
            if (isMissingTable(e)) {
                migrate();
                return List.of();
            }
            throw e;
        }
        return out;
    }

    /** The newest row still running, possibly of another instance (for a 409 that names it). */
    public Optional<String> runningSyncId(String exceptSyncId) {
        if (!available()) {
            return Optional.empty();
        }
        try (Connection c = connection()) {
            return Optional.ofNullable(Sql.queryString(c, "SELECT sync_id::text FROM " + SCHEMA
                    + ".archon_sync_history WHERE status = 'running' AND sync_id <> ?::uuid ORDER BY started_at DESC LIMIT 1",
                    exceptSyncId));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * An attempt that never ran, recorded so it is not silently nothing: {@code skipped} (another sync
     * held the databases; the message names it) or {@code failed} (it could not even start). Goes
     * through the same writer as {@link #track}, after anything already queued for this attempt, so it
     * replaces the row an abandoned start may have left.
     */
    public void recordNotStarted(SyncJob attempt, String status, String message, String error) {
        if (!available()) {
            return;
        }
        writer.execute(() -> {
            String sql = "INSERT INTO " + SCHEMA + ".archon_sync_history (sync_id, direction, trigger, status, phase, forced, backup, "
                    + "dry_run, requested_by, instance, started_at, finished_at, message, error) "
                    + "VALUES (?::uuid, ?, ?, ?, 'validating', ?, ?, ?, ?, ?, ?, now(), ?, ?) "
                    + "ON CONFLICT (sync_id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, "
                    + "message = excluded.message, error = excluded.error, updated_at = now()";
            try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
                var request = attempt.request();
                int i = 1;
                ps.setString(i++, attempt.id());
                ps.setString(i++, request.direction().wire());
                ps.setString(i++, request.trigger().wire());
                ps.setString(i++, status);
                ps.setBoolean(i++, request.force());
                ps.setBoolean(i++, request.backup());
                ps.setBoolean(i++, request.dryRun());
                ps.setString(i++, request.requestedBy());
                ps.setString(i++, instance);
                ps.setTimestamp(i++, Timestamp.from(attempt.snapshot().startedAt()));
                ps.setString(i++, Redactor.redact(message));
                ps.setString(i, Redactor.redact(error));
                ps.executeUpdate();
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("could not record the %s attempt %s: %s", status, attempt.id(), Redactor.redact(e.getMessage()));
            }
        });
    }

    /** One attempt's outcome in brief: what the schedule endpoint shows as the last attempt. */
    public record Attempt(String syncId, String status, Instant startedAt, Instant finishedAt, String message) {
    }

    /** The newest sync (not restore) started by {@code trigger}, whatever its outcome. */
    public Optional<Attempt> lastAttempt(String trigger) throws SQLException {
        String sql = "SELECT sync_id::text, status, started_at, finished_at, coalesce(error, message) FROM " + SCHEMA
                + ".archon_sync_history WHERE trigger = ? AND operation = 'sync' AND NOT dry_run ORDER BY started_at DESC LIMIT 1";
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, trigger);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Attempt(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant(), rs.getString(5)));
            }
        } catch (SQLException e) {
            if (isMissingTable(e)) { // the local database was recreated: no history yet
                migrate();
                return Optional.empty();
            }
            throw e;
        }
    }

    /** When the newest completed sync in {@code direction} (any trigger, dry runs excluded) committed. */
    public Optional<Instant> lastCompleted(String direction) throws SQLException {
        String sql = "SELECT max(finished_at) FROM " + SCHEMA + ".archon_sync_history "
                + "WHERE status = 'completed' AND direction = ? AND operation = 'sync' AND NOT dry_run";
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, direction);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant);
            }
        } catch (SQLException e) {
            if (isMissingTable(e)) {
                migrate();
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Rows left 'running' by an instance that died. Only when no sync holds the advisory lock anywhere
     * (we can take it), so a live sync of another instance is never marked. The lock is the
     * transaction-level variant: it conflicts with a sync's session lock on the same key and ends with
     * this transaction, so nothing of it stays on the pooled connection.
     *
     * @return the ids marked failed; empty when a sync is running somewhere (nothing is stale then)
     */
    public Optional<List<String>> failInterrupted(long advisoryLockKey) throws SQLException {
        return failInterrupted(advisoryLockKey, Instant.now(), () -> { });
    }

    /**
     * As {@link #failInterrupted(long)}, for rows started before {@code startedBefore} only (this process's
     * own start: its own syncs are never touched), running {@code whileLocked} before the lock ends, so a
     * clean-up of what the dead syncs left cannot race a sync that starts meanwhile.
     */
    public Optional<List<String>> failInterrupted(long advisoryLockKey, Instant startedBefore, Runnable whileLocked)
            throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                if (!"true".equals(Sql.queryString(c, "SELECT pg_try_advisory_xact_lock(?)::text", advisoryLockKey))) {
                    c.rollback();
                    return Optional.empty();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".archon_sync_history SET status = 'failed', "
                        + "error = 'interrupted: the service instance that ran it (' || instance || ') stopped before it recorded "
                        + "the outcome; the target holds all of it or none of it (one transaction)', finished_at = coalesce(finished_at, now()), updated_at = now() "
                        + "WHERE status = 'running' AND started_at < ? RETURNING sync_id::text")) {
                    ps.setTimestamp(1, Timestamp.from(startedBefore));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                whileLocked.run();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return Optional.of(ids);
    }

    /**
     * What the target says about a sync {@link #failInterrupted} marked: it committed (its record is in the
     * target's load transaction) — then it completed, only its report is lost — or it did not.
     */
    public void interruptedOutcome(String syncId, boolean committed) throws SQLException {
        String sql = committed
                ? "UPDATE " + SCHEMA + ".archon_sync_history SET status = 'completed', error = NULL, message = 'completed: the "
                        + "target committed it (it records this sync), but the service instance stopped before it finished the "
                        + "report', updated_at = now() WHERE sync_id = ?::uuid AND status = 'failed'"
                : "UPDATE " + SCHEMA + ".archon_sync_history SET error = 'interrupted: the service instance that ran it (' || "
                        + "instance || ') stopped before the end; the target has no record of this sync, so it never committed: "
                        + "the target is as it was before', updated_at = now() WHERE sync_id = ?::uuid AND status = 'failed'";
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, syncId);
            ps.executeUpdate();
        }
    }

    /** When each direction's newest completed sync (not a dry run, not a restore) finished. */
    public java.util.Map<String, java.time.Instant> lastSuccesses() throws SQLException {
        java.util.Map<String, java.time.Instant> out = new java.util.HashMap<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT direction, max(finished_at) FROM "
                + SCHEMA + ".archon_sync_history WHERE status = 'completed' AND NOT dry_run AND coalesce(operation, 'sync') = 'sync' "
                + "GROUP BY direction"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (rs.getTimestamp(2) != null) {
                    out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                }
            }
        }
        return out;
    }

    private String toJson(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            return "null";
        }
    }

    private com.fasterxml.jackson.databind.JsonNode readJson(String s) {
        try {
            return s == null ? null : json.readTree(s);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The driver's own words (Flyway wraps them in a multi-line report). */
    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static boolean isMissingTable(SQLException e) {
        return "42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState());
    }

    /** Lets pending writes land before the process ends (tests and orderly shutdowns). */
    public void flush() {
        try {
            writer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("history flush interrupted", e);
        }
    }

    @PreDestroy
    void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
