package dev.archon.sync.engine.load;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.plan.SyncPlan.SequencePlan;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.OwnedSequence;
import dev.archon.sync.pg.TableName;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each owned sequence the source's last_value/is_called (not max(id): the source may be ahead).
 * setval is not transactional by itself; it is here only because TRUNCATE … RESTART IDENTITY reset
 * these sequences in the same transaction, so a rollback restores the target's old values too.
 */
public final class SequenceSync {
    private SequenceSync() {
    }

    static void apply(SyncContext ctx) throws SQLException {
        Map<String, String> targetSequences = targetSequences(ctx);
        List<TableName> reloaded = ctx.plan.loadedWholeNames(); // a row delta sets its own ({@link DeltaApply})
        for (SequencePlan s : ctx.plan.sequences()) {
            if (!reloaded.contains(s.table())) {
                continue; // a table left alone: its sequences are part of its fingerprint, equal already
            }
            String seq = targetSequences.get(key(s.table().toString(), s.column()));
            if (seq == null) {
                ctx.job.warn("no sequence owns " + s.table() + "." + s.column() + " on the target; its value was not set");
                continue;
            }
            try (PreparedStatement ps = ctx.targetConnection.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
                ps.setString(1, seq);
                ps.setLong(2, s.value().lastValue());
                ps.setBoolean(3, s.value().isCalled());
                ps.execute();
            }
        }
    }

    public static Map<String, String> targetSequences(SyncContext ctx) throws SQLException {
        Map<String, String> out = new HashMap<>();
        for (OwnedSequence o : new Catalog(ctx.targetConnection).ownedSequences(ctx.plan.tableNames())) {
            out.put(key(o.table().toString(), o.column()), o.sequence());
        }
        return out;
    }

    private static String key(String table, String column) {
        return table + "\u0000" + column;
    }
}
