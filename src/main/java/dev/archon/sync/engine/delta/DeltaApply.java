package dev.archon.sync.engine.delta;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.load.SequenceSync;
import dev.archon.sync.engine.load.TableCopier;
import dev.archon.sync.engine.plan.SyncPlan.CopyFormat;
import dev.archon.sync.engine.plan.SyncPlan.SequencePlan;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.engine.plan.TableFingerprint;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.SequenceState;
import dev.archon.sync.pg.Sql;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes one table's {@link RowDelta} inside the target transaction, which holds only ROW EXCLUSIVE on it
 * (Archon's readers go on; no TRUNCATE, no index dropped — every index is maintained by the row changes):
 * delete the target rows that are gone or changed, binary COPY the new and changed rows from the source
 * snapshot straight into the table, set its owned sequences. Session_replication_role is replica, so no
 * trigger fires: an ON DELETE CASCADE does not reach the children (their own delta or verification deals
 * with them) and Archon's triggers do not rewrite the copied rows; verification checks every FK after.
 *
 * A concurrent writer on the target is never lost: the delete removes only the row versions preflight
 * compared (their digest must still match), so a row changed since fails the sync; a row a writer inserts
 * or changes elsewhere makes the table's fingerprint differ from the source's at verification; a writer
 * that touches a row this transaction changed waits for it (row lock) and then applies on top.
 */
public final class DeltaApply {
    /** Keys per statement: a COPY's key list is an inline literal; 5,000 keys keep it well under a megabyte. */
    static final int KEYS_PER_STATEMENT = 5000;

    private DeltaApply() {
    }

    /** @return bytes of COPY data sent */
    public static TableCopier.Result apply(SyncContext ctx, TablePlan t, TableCopier.Progress progress) throws SQLException {
        RowDelta d = t.delta();
        deleteTheRowsThatDiffer(ctx, t, d);
        long rows = 0;
        long bytes = 0;
        String columns = Sql.identList(t.columns());
        String format = t.format() == CopyFormat.BINARY ? " (FORMAT binary)" : "";
        PrimaryKey key = d.bucketing().key();
        for (int from = 0; from < d.insertKeys().size(); from += KEYS_PER_STATEMENT) {
            ctx.cancel().throwIfCancelled();
            List<List<String>> keys = d.insertKeys().subList(from, Math.min(d.insertKeys().size(), from + KEYS_PER_STATEMENT));
            TableCopier.Result r = TableCopier.copy(ctx, t.table().toString(),
                    "COPY (SELECT " + columns + " FROM " + t.table().sql() + " WHERE " + key.inList("", keys) + ") TO STDOUT" + format,
                    "COPY " + t.table().sql() + " (" + columns + ") FROM STDIN" + format, !format.isEmpty(), progress);
            if (r.rows() != keys.size()) {
                throw new IllegalStateException(String.format("%s: %,d of %,d new or changed rows were found in the source snapshot;"
                        + " nothing was changed", t.table(), r.rows(), keys.size()));
            }
            rows += r.rows();
            bytes += r.bytes();
        }
        setSequences(ctx, t);
        return new TableCopier.Result(rows, bytes);
    }

    /** Only the versions preflight compared: a row the target changed since is not deleted, and the count tells. */
    private static void deleteTheRowsThatDiffer(SyncContext ctx, TablePlan t, RowDelta d) throws SQLException {
        if (d.deleteKeys().isEmpty()) {
            return;
        }
        PrimaryKey key = d.bucketing().key();
        for (String s : TableFingerprint.PINNED) { // the digests are compared as preflight computed them
            Sql.exec(ctx.targetConnection, s);
        }
        int n = key.columns().size();
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(t.table().sql()).append(" USING unnest(");
        for (int i = 0; i < n; i++) {
            sql.append("?::text[]::").append(key.types().get(i)).append("[], ");
        }
        sql.append("?::text[]) AS sync_key(");
        for (int i = 0; i < n; i++) {
            sql.append("sync_k").append(i).append(", ");
        }
        sql.append("sync_digest) WHERE ");
        for (int i = 0; i < n; i++) {
            sql.append(t.table().sql()).append(".").append(Sql.ident(key.columns().get(i))).append(" = sync_key.sync_k").append(i).append(" AND ");
        }
        sql.append("encode(").append(d.bucketing().rowDigest(ctx.targetConnection)).append(", 'hex') = sync_key.sync_digest");
        long deleted = 0;
        try (PreparedStatement ps = ctx.targetConnection.prepareStatement(sql.toString())) {
            for (int from = 0; from < d.deleteKeys().size(); from += KEYS_PER_STATEMENT) {
                ctx.cancel().throwIfCancelled();
                int to = Math.min(d.deleteKeys().size(), from + KEYS_PER_STATEMENT);
                List<List<String>> keys = d.deleteKeys().subList(from, to);
                for (int i = 0; i < n; i++) {
                    final int col = i;
                    ps.setArray(i + 1, ctx.targetConnection.createArrayOf("text", keys.stream().map(k -> k.get(col)).toArray()));
                }
                ps.setArray(n + 1, ctx.targetConnection.createArrayOf("text", d.deleteDigests().subList(from, to).toArray()));
                deleted += ps.executeUpdate();
            }
        }
        if (deleted != d.rowsToDelete()) {
            throw new IllegalStateException(String.format("%s changed on the target during the sync (%,d of the %,d rows to replace"
                    + " were no longer as compared); nothing was changed, sync again", t.table(), d.rowsToDelete() - deleted,
                    d.rowsToDelete()));
        }
    }

    /**
     * The source's last_value/is_called, by ALTER SEQUENCE … RESTART: unlike setval it writes a new sequence
     * file in this transaction, so a rollback (a cancel, a failed verification) leaves the target's sequence
     * as it was. Only when it differs: the ALTER locks the sequence (Archon's inserts wait for the COMMIT).
     */
    private static void setSequences(SyncContext ctx, TablePlan t) throws SQLException {
        Map<String, String> targetSequences = SequenceSync.targetSequences(ctx);
        Catalog catalog = new Catalog(ctx.targetConnection);
        for (SequencePlan s : ctx.plan.sequences().stream().filter(s -> s.table().equals(t.table())).collect(Collectors.toList())) {
            String seq = targetSequences.get(s.table() + "\u0000" + s.column());
            if (seq == null) {
                ctx.job.warn("no sequence owns " + s.table() + "." + s.column() + " on the target; its value was not set");
                continue;
            }
            SequenceState now = catalog.sequenceState(seq);
            if (now.equals(s.value())) {
                continue;
            }
            String alter = Sql.queryString(ctx.targetConnection, "SELECT format('ALTER SEQUENCE %s RESTART WITH %s', ?::regclass, ?::bigint)",
                    seq, s.value().lastValue());
            Sql.exec(ctx.targetConnection, alter);
            if (s.value().isCalled()) {
                Sql.queryLong(ctx.targetConnection, "SELECT nextval(?::regclass)", seq);
            }
        }
    }
}
