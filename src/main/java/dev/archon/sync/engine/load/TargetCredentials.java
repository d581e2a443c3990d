package dev.archon.sync.engine.load;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncRequest;
import dev.archon.sync.engine.plan.EncryptedSettings;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.engine.plan.TableFingerprint;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code "keep_target_credentials": true}: the target keeps its own encrypted settings. A credential row is one
 * with {@code is_encrypted} or an {@code encrypted_value} (a placeholder too: the target's Settings stay the
 * target's). After this sync the target's archon_settings holds
 * <pre>  the source's rows − the source's credential rows − source rows with the key or id of a kept row
 *   + the target's own credential rows, unchanged</pre>
 * {@code key} is unique: where both sides have a row for one key, the target's credential row wins.
 * Inside the load transaction: the target's rows are put aside in a temporary table before the TRUNCATE
 * (dropped at COMMIT or rollback) and put back after the COPY. One per sync, filled by the load and read by
 * verification and by the fingerprint recorded for the next sync's guard.
 */
public final class TargetCredentials {
    private static final String KEPT = "pg_temp.archon_sync_kept_credentials";

    /** A credential row, columns qualified with {@code alias} ("" for none). */
    private static String credential(String alias) {
        return "(" + alias + "is_encrypted IS TRUE OR " + alias + "encrypted_value IS NOT NULL)";
    }

    /** Set by {@link #putBack}: rows removed from the loaded source rows, rows put back; -1 when not done. */
    private volatile long removed = -1;
    private volatile long kept = -1;
    private volatile TableFingerprint after;

    /** The table this sync keeps the target's credentials in, when it does. */
    private static Optional<TablePlan> active(SyncContext ctx) {
        SyncRequest r = ctx.job.request();
        return r.keepTargetCredentials() && !r.isRestore() ? EncryptedSettings.reloaded(ctx.plan) : Optional.empty();
    }

    /** Before the TRUNCATE: the target's credential rows, put aside in this transaction. */
    void putAside(SyncContext ctx) throws SQLException {
        Optional<TablePlan> t = active(ctx);
        if (t.isPresent()) {
            Sql.exec(ctx.targetConnection, "CREATE TEMPORARY TABLE archon_sync_kept_credentials ON COMMIT DROP AS SELECT "
                    + columns(t.get()) + " FROM " + t.get().table().sql() + " WHERE " + credential(""));
        }
    }

    /** After the COPY: the source's credential rows (and rows in the way of a kept one) out, the target's back in. */
    void putBack(SyncContext ctx) throws SQLException {
        Optional<TablePlan> t = active(ctx);
        if (t.isEmpty()) {
            return;
        }
        TableName settings = t.get().table();
        removed = Sql.queryLong(ctx.targetConnection, "WITH gone AS (DELETE FROM " + settings.sql() + " s WHERE " + credential("s.")
                + " OR s.key IN (SELECT key FROM " + KEPT + ") OR s.id IN (SELECT id FROM " + KEPT + ") RETURNING 1) "
                + "SELECT count(*) FROM gone");
        String cols = columns(t.get());
        kept = Sql.queryLong(ctx.targetConnection, "WITH back AS (INSERT INTO " + settings.sql() + " (" + cols + ") SELECT " + cols
                + " FROM " + KEPT + " RETURNING 1) SELECT count(*) FROM back");
        Savepoint readOnly = ctx.targetConnection.setSavepoint(); // the fingerprint's pinned settings end with it
        try {
            after = TableFingerprint.of(ctx.targetConnection, List.of(settings)).get(settings);
        } finally {
            ctx.targetConnection.rollback(readOnly);
        }
        ctx.job.progress(0, String.format("Kept the target's %d credential settings (%d source rows left out)", kept, removed));
    }

    /** The rows a table holds once loaded: the source's, but for archon_settings when the target's credentials were kept. */
    long expectedRows(TablePlan t) {
        return kept >= 0 && t.table().name().equals(EncryptedSettings.TABLE) ? t.sourceRows() - removed + kept : t.sourceRows();
    }

    /** What the target holds after this sync, for the next sync's data-loss guard: archon_settings as kept, else the source's. */
    TableFingerprint fingerprintAfterLoad(TablePlan t) {
        return after != null && t.table().name().equals(EncryptedSettings.TABLE) ? after : t.sourceFingerprint();
    }

    /** Before COMMIT: every kept row is back unchanged and no other credential row came in from the source. */
    List<String> verify(SyncContext ctx) throws SQLException {
        List<String> problems = new ArrayList<>();
        Optional<TablePlan> t = active(ctx);
        if (t.isEmpty()) {
            return problems;
        }
        String settings = t.get().table().sql();
        String cols = columns(t.get());
        long missing = Sql.queryLong(ctx.targetConnection, "SELECT count(*) FROM (SELECT " + cols + " FROM " + KEPT + " EXCEPT ALL SELECT "
                + cols + " FROM " + settings + ") m");
        long foreign = Sql.queryLong(ctx.targetConnection, "SELECT count(*) FROM " + settings + " s WHERE " + credential("s.")
                + " AND s.id NOT IN (SELECT id FROM " + KEPT + ")");
        if (missing > 0) {
            problems.add(missing + " of the target's own credential settings are not back as they were");
        }
        if (foreign > 0) {
            problems.add(foreign + " credential settings of the source were copied although the target's own were to be kept");
        }
        return problems;
    }

    private static String columns(TablePlan t) {
        return t.columns().stream().map(Sql::ident).collect(Collectors.joining(", "));
    }
}
