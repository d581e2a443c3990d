package dev.archon.sync.engine.load;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.delta.DeltaCheck;
import dev.archon.sync.engine.plan.SyncPlan.SequencePlan;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.CatalogModel.SequenceState;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks the loaded target before COMMIT (FK triggers were off during the load, so nothing else did):
 * row counts equal the source snapshot's, no FK orphans (one anti-join per FK), every index valid,
 * every sequence at the source's value. Any problem fails the sync and the transaction rolls back.
 */
public final class Verification {
    static final class Failed extends RuntimeException {
        Failed(List<String> problems) {
            super("verification failed before COMMIT, the target was rolled back: " + String.join("; ", problems));
        }
    }

    private Verification() {
    }

    public static void beforeCommit(SyncContext ctx) throws SQLException {
        List<String> problems = new ArrayList<>();
        Catalog target = new Catalog(ctx.targetConnection);
        List<TablePlan> tables = ctx.plan.tables();
        int step = 0;
        for (TablePlan t : tables) {
            ctx.cancel().throwIfCancelled();
            long rows = target.count(t.table());
            long expected = ctx.credentials.expectedRows(t); // the source snapshot's, unless the target's credentials were kept
            if (rows != expected) {
                problems.add(String.format("%s has %,d rows, %s %,d", t.table(), rows,
                        expected == t.sourceRows() ? "the source snapshot" : "expected (the source's with the target's credentials)", expected));
            }
            ctx.job.progress(0.4 * ++step / tables.size(), "Verifying row counts: " + t.table());
        }
        List<ForeignKey> fks = target.foreignKeysTouching(ctx.plan.tableNames()).stream()
                .filter(fk -> ctx.plan.tableNames().contains(fk.child())).toList();
        step = 0;
        for (ForeignKey fk : fks) {
            ctx.cancel().throwIfCancelled();
            long orphans = Sql.queryLong(ctx.targetConnection, orphanQuery(fk));
            if (orphans > 0) {
                problems.add(String.format("%,d row(s) of %s violate foreign key %s", orphans, fk.child(), fk));
            }
            ctx.job.progress(0.4 + 0.5 * ++step / Math.max(1, fks.size()), "Verifying foreign keys: " + fk.name());
        }
        problems.addAll(ctx.credentials.verify(ctx));
        problems.addAll(deltasEqualTheSource(ctx));
        List<String> invalid = target.invalidIndexes(ctx.plan.tableNames());
        if (!invalid.isEmpty()) {
            problems.add("invalid index(es): " + String.join(", ", invalid));
        }
        Map<String, String> seqs = SequenceSync.targetSequences(ctx);
        for (SequencePlan s : ctx.plan.sequences()) {
            String seq = seqs.get(s.table() + "\u0000" + s.column());
            if (seq == null) {
                continue;
            }
            SequenceState now = target.sequenceState(seq);
            if (now.lastValue() != s.value().lastValue() || now.isCalled() != s.value().isCalled()) {
                problems.add("sequence " + seq + " is " + now + ", the source's is " + s.value());
            }
            long max = Sql.queryLong(ctx.targetConnection, "SELECT coalesce(max(" + Sql.ident(s.column()) + "), 0) FROM " + s.table().sql());
            if (now.lastValue() < max) {
                ctx.job.warn("sequence " + seq + " (" + now + ") is behind max(" + s.column() + ") = " + max
                        + " on the source too; new rows may collide until it is advanced");
            }
        }
        if (!problems.isEmpty()) {
            throw new Failed(problems);
        }
        ctx.job.progress(0.95, "Verified: counts, foreign keys, indexes, sequences");
    }

    /**
     * A row delta wrote only some rows: the whole table, as this transaction sees it, must now hold exactly the
     * source's rows and sequence states — checked bucket by bucket ({@link DeltaCheck}), which also catches a
     * write by another session that committed during the sync (the delta holds no lock against writers).
     */
    private static List<String> deltasEqualTheSource(SyncContext ctx) throws SQLException {
        List<TablePlan> deltas = ctx.plan.deltas();
        if (deltas.isEmpty()) {
            return List.of();
        }
        ctx.cancel().throwIfCancelled();
        ctx.job.progress(0.4, "Verifying the row deltas: fingerprints equal the source's");
        Savepoint readOnly = ctx.targetConnection.setSavepoint(); // the digests' pinned settings end with it
        List<String> problems = new ArrayList<>();
        try {
            for (TablePlan t : deltas) {
                problems.addAll(DeltaCheck.problems(ctx.targetConnection, t));
            }
        } finally {
            ctx.targetConnection.rollback(readOnly);
        }
        return problems;
    }

    /** Rows whose FK columns are all set (MATCH SIMPLE) but have no parent row. */
    static String orphanQuery(ForeignKey fk) {
        String notNull = fk.childColumns().stream().map(c -> "c." + Sql.ident(c) + " IS NOT NULL").collect(Collectors.joining(" AND "));
        List<String> join = new ArrayList<>();
        for (int i = 0; i < fk.childColumns().size(); i++) {
            join.add("p." + Sql.ident(fk.parentColumns().get(i)) + " = c." + Sql.ident(fk.childColumns().get(i)));
        }
        return "SELECT count(*) FROM " + fk.child().sql() + " c WHERE " + notNull + " AND NOT EXISTS (SELECT 1 FROM "
                + fk.parent().sql() + " p WHERE " + String.join(" AND ", join) + ")";
    }

    /** After COMMIT, on a fresh look: the counts still match (a cheap check that the commit took it all). */
    public static void afterCommit(SyncContext ctx) throws SQLException {
        Catalog target = new Catalog(ctx.targetConnection);
        for (TablePlan t : ctx.plan.tables()) {
            long rows = target.count(t.table());
            if (rows != ctx.credentials.expectedRows(t)) {
                ctx.job.warn(String.format("after COMMIT %s has %,d rows (loaded %,d): something wrote to it since",
                        t.table(), rows, ctx.credentials.expectedRows(t)));
            }
        }
    }
}
