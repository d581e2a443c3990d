package dev.archon.sync.engine.delta;

import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.plan.EncryptedSettings;
import dev.archon.sync.engine.plan.LastSync;
import dev.archon.sync.engine.plan.TableFingerprint;
import dev.archon.sync.engine.session.Sides;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Preflight's choice for a table whose fingerprints differ: a row delta or a reload. A delta needs a
 * primary key (the same on both sides), enough rows for the difference to matter ({@value #MIN_ROWS}: a
 * smaller table reloads in milliseconds), few enough changed rows ({@value #MAX_CHANGED_FRACTION} of the rows,
 * deleted plus inserted: there a delta still takes half a reload's time — docs/how-it-works.md, "The crossover" —
 * but an ivfflat index whose lists were built for the old rows serves the new ones poorly, which a rebuild fixes),
 * and no FK parent that is
 * reloaded (its TRUNCATE must take its children along). {@code "full": true} and a fresh target reload.
 *
 * It also guards a delta the way the data-loss guard guards a reload, but by rows instead of counts: when the
 * target changed since the last sync, deleting target rows the source does not have would lose rows the
 * target gained (or the source deleted — nobody can tell which): refused, unless forced.
 */
public final class DeltaChoice {
    static final long MIN_ROWS = 1000;
    static final double MAX_CHANGED_FRACTION = 0.5;

    /** @param deltas the tables written as row deltas; every other differing table is reloaded */
    public record Choice(Map<TableName, RowDelta> deltas, List<Refusal> refusals) {
    }

    private DeltaChoice() {
    }

    /**
     * @param read           what preflight read of a table by its buckets (null: not read by them — then each side's
     *                       buckets are read here)
     * @param asLastSyncLeft the target's tables whose row versions are those the last sync recorded
     */
    public static Choice choose(SyncContext ctx, TargetTransaction tx, List<TableName> tables, Map<TableName, TableFingerprint> onSource,
            Map<TableName, TableFingerprint> onTarget, Function<TableName, TableBuckets> read, Set<TableName> asLastSyncLeft,
            boolean fresh) throws SQLException {
        if (fresh || ctx.job.request().full()) {
            return new Choice(Map.of(), List.of());
        }
        List<TableName> differing = tables.stream().filter(t -> !onSource.get(t).equals(onTarget.get(t))).toList();
        Map<TableName, RowDelta> deltas = new LinkedHashMap<>();
        for (TableName t : differing) {
            ctx.cancel().throwIfCancelled();
            long sourceRows = onSource.get(t).rows();
            long targetRows = onTarget.get(t).rows();
            if (Math.max(sourceRows, targetRows) < MIN_ROWS || keptCredentials(ctx, t)) {
                continue;
            }
            Optional<PrimaryKey> key = PrimaryKey.of(ctx.sourceConnection, t);
            Optional<PrimaryKey> targetKey = tx.inRolledBackTransaction(c -> PrimaryKey.of(c, t));
            if (key.isEmpty() || targetKey.isEmpty() || !key.get().columns().equals(targetKey.get().columns())) {
                continue;
            }
            ctx.job.progress(0.6, "Comparing " + t + " row by row (bucket digests on both sides)");
            rowDelta(ctx, tx, key.get(), sourceRows, targetRows, read.apply(t)).ifPresent(d -> deltas.put(t, d));
        }
        withoutChildrenOfReloads(new Catalog(ctx.targetConnection).foreignKeysTouching(tables), differing, deltas);
        return new Choice(deltas, ctx.job.request().force() ? List.of() : guard(ctx, deltas, onTarget, asLastSyncLeft));
    }

    /** Settings whose target credentials are kept are put aside and back around a reload ({@link TargetCredentials}). */
    private static boolean keptCredentials(SyncContext ctx, TableName t) {
        return ctx.job.request().keepTargetCredentials() && t.name().equals(EncryptedSettings.TABLE);
    }

    /** The delta when it is under the crossover; empty: reload. Both sides at once, each pass one statement. */
    private static Optional<RowDelta> rowDelta(SyncContext ctx, TargetTransaction tx, PrimaryKey key, long sourceRows,
            long targetRows, TableBuckets read) throws SQLException {
        long budget = (long) (MAX_CHANGED_FRACTION * Math.max(sourceRows, 1));
        if (Math.abs(sourceRows - targetRows) > budget) { // at least that many rows change: a reload, no digest read
            return Optional.empty();
        }
        TableName t = key.table();
        BucketDigests bucketing = read != null ? read.bucketing()
                : BucketDigests.choose(ctx.sourceConnection, key, Math.max(sourceRows, targetRows));
        // a side whose fingerprint read gave its buckets (under this bucketing) is not read again
        Map<Long, BucketDigests.Bucket> sourceKnown = read != null ? read.source() : null;
        Map<Long, BucketDigests.Bucket> targetKnown = read != null ? read.target() : null;
        var buckets = bothSides(tx, () -> sourceKnown != null ? sourceKnown : bucketing.buckets(ctx.sourceConnection),
                c -> targetKnown != null ? targetKnown : bucketing.buckets(c));
        Set<Long> all = new HashSet<>(buckets.source().keySet());
        all.addAll(buckets.target().keySet());
        List<Long> differ = new ArrayList<>();
        for (Long b : all) {
            if (!BucketDigests.sameRows(buckets.source().get(b), buckets.target().get(b))) {
                differ.add(b);
            }
        }
        // each differing bucket holds at least one changed row: beyond the budget a reload wins, and comparing the
        // rows (a scan of the differing buckets on both sides) would be wasted. Below it the rows are compared even
        // when the changes are scattered over many buckets: that costs a fraction of one fingerprint, far less than
        // a reload. No bucket differs: the rows are equal, only an owned sequence is not — an empty delta sets it.
        if (differ.size() > budget) {
            return Optional.empty();
        }
        ctx.cancel().throwIfCancelled();
        // a side that read a bucket row by row in its fingerprint (its versions moved there) is not read again for it
        BucketRows sourceRead = read != null && read.sourceRows() != null ? read.sourceRows() : BucketRows.none();
        BucketRows targetRead = read != null && read.targetRows() != null ? read.targetRows() : BucketRows.none();
        var rows = bothSides(tx, () -> rowsOf(sourceRead, ctx.sourceConnection, bucketing, differ),
                c -> rowsOf(targetRead, c, bucketing, differ));
        RowDelta delta = RowDelta.between(bucketing, rows.source(), rows.target(), new RowDelta.Buckets(buckets.source(),
                buckets.target(), Set.copyOf(differ)));
        return delta.rowsToInsert() + delta.rowsToDelete() <= budget ? Optional.of(delta) : Optional.empty();
    }

    /** A side's rows of {@code buckets}: those it {@code read} already, the others read now. */
    private static Map<List<String>, BucketRows.Row> rowsOf(BucketRows read, Connection c, BucketDigests bucketing, List<Long> buckets)
            throws SQLException {
        List<Long> unread = buckets.stream().filter(b -> !read.knows(b)).toList();
        return read.with(bucketing.rows(c, unread)).rowsIn(buckets);
    }

    /** A table reloaded takes its FK children into its TRUNCATE: none of them can be a delta. */
    private static void withoutChildrenOfReloads(List<ForeignKey> fks, List<TableName> differing, Map<TableName, RowDelta> deltas) {
        Set<TableName> reloaded = new HashSet<>(differing);
        reloaded.removeAll(deltas.keySet());
        for (boolean grew = true; grew; ) {
            grew = false;
            for (ForeignKey fk : fks) {
                if (reloaded.contains(fk.parent()) && reloaded.add(fk.child())) {
                    deltas.remove(fk.child());
                    grew = true;
                }
            }
        }
    }

    private static List<Refusal> guard(SyncContext ctx, Map<TableName, RowDelta> deltas, Map<TableName, TableFingerprint> onTarget,
            Set<TableName> asLastSyncLeft) throws SQLException {
        Map<TableName, TableFingerprint> last = LastSync.recorded(ctx.targetConnection);
        List<String> losses = new ArrayList<>();
        deltas.forEach((t, d) -> {
            TableFingerprint recorded = last.get(t);
            if (recorded != null && !asLastSyncLeft.contains(t) && !recorded.equals(onTarget.get(t)) && d.goneFromSource() > 0) {
                losses.add(String.format("%s: the target changed since the last sync, and %,d of its rows are not on the source "
                        + "(rows the target gained since, or the source deleted)", t, d.goneFromSource()));
            }
        });
        if (losses.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal("data_loss", "the target would lose rows in " + losses.size() + " table(s): "
                + String.join("; ", losses) + ". Sync in the other direction, or repeat with \"force\": true to replace them anyway"));
    }

    /** The source's part on this thread (its snapshot), the target's on another, in a transaction rolled back at once. */
    private static <T> Sides<T> bothSides(TargetTransaction tx, Sides.Part<T> source, TargetTransaction.Reading<T> target)
            throws SQLException {
        return Sides.atOnce("row-delta-target", "comparing the target's rows", source, () -> tx.inRolledBackTransaction(target));
    }
}
