package dev.archon.sync.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.PgUriDataSource;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
            + "operation, backup_id";

    private final ObjectMapper json;
    /** ARCHON_SYNC_HISTORY_KEEP_DAYS: finished rows older than this are deleted (dry runs and refusals add up). */
    private final int keepDays;
    private final String instance = ManagementFactory.getRuntimeMXBean().getName();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sync-history-writer");
        t.setDaemon(true);
        return t;
    });
    private volatile PgUriDataSource local;

    public SyncHistory(ObjectMapper json,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "archon.sync.history.keep-days", defaultValue = "90") int keepDays) {
        this.json = json;
        this.keepDays = keepDays;
    }

    /** Called once the local URL is known; creates or upgrades the table. */
    public synchronized void open(PgUri localUri) {
        local = new PgUriDataSource(localUri, "archon-db-sync history");
        migrate();
    }

    synchronized void migrate() {
        Flyway.configure().dataSource(local).schemas(SCHEMA).createSchemas(true).table(FLYWAY_TABLE)
                .locations("classpath:db/archon-sync").load().migrate();
    }

    public boolean available() {
        return local != null;
    }

    /** Follows the job: a row at once, then an update at every phase change and at the end. */
    public void track(SyncJob job) {
        if (local == null) {
            return;
        }
        Object[] last = {null, null};
        write(job.snapshot(), job);
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
                + "(?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (sync_id) DO UPDATE SET status = excluded.status, phase = excluded.phase, "
                + "finished_at = excluded.finished_at, rows_synced = excluded.rows_synced, total_rows = excluded.total_rows, "
                + "bytes_transferred = excluded.bytes_transferred, phase_seconds = excluded.phase_seconds, "
                + "tables = excluded.tables, refusals = excluded.refusals, message = excluded.message, "
                + "error = excluded.error, updated_at = now()";
        var report = job.report();
        try (Connection c = local.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
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
            ps.setString(i, instance);
            ps.executeUpdate();
        }
    }

    /** Deletes finished rows older than the retention (never a running one); 0 or less keeps everything. */
    int deleteExpired() throws SQLException {
        if (keepDays <= 0) {
            return 0;
        }
        try (Connection c = local.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA
                + ".archon_sync_history WHERE status <> 'running' AND coalesce(finished_at, started_at) < now() - make_interval(days => ?)")) {
            ps.setInt(1, keepDays);
            return ps.executeUpdate();
        }
    }

    /** One row by id (a sync this instance no longer knows, e.g. after a restart). */
    public Optional<HistoryEntry> find(String syncId) throws SQLException {
        if (local == null || syncId == null || !syncId.matches("[0-9a-fA-F-]{36}")) {
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
        try (Connection c = local.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
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
                            readJson(rs.getString(17)), rs.getString(18), rs.getString(19), rs.getString("operation"), rs.getString("backup_id")));
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
        if (local == null) {
            return Optional.empty();
        }
        try (Connection c = local.getConnection()) {
            return Optional.ofNullable(Sql.queryString(c, "SELECT sync_id::text FROM " + SCHEMA
                    + ".archon_sync_history WHERE status = 'running' AND sync_id <> ?::uuid ORDER BY started_at DESC LIMIT 1",
                    exceptSyncId));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * Rows left 'running' by an instance that died. Only when no sync holds the advisory lock anywhere
     * (we can take it), so a live sync of another instance is never marked.
     *
     * @return the ids marked failed; empty when a sync is running somewhere (nothing is stale then)
     */
    public Optional<List<String>> failInterrupted(long advisoryLockKey) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = local.getConnection()) {
            if (!"true".equals(Sql.queryString(c, "SELECT pg_try_advisory_lock(?)::text", advisoryLockKey))) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".archon_sync_history SET status = 'failed', "
                    + "error = 'interrupted: the service instance that ran it (' || instance || ') stopped before it finished; "
                    + "the target transaction was never committed', finished_at = coalesce(finished_at, now()), updated_at = now() "
                    + "WHERE status = 'running' RETURNING sync_id::text"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            } finally {
                Sql.queryString(c, "SELECT pg_advisory_unlock(?)::text", advisoryLockKey);
            }
        }
        return Optional.of(ids);
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
