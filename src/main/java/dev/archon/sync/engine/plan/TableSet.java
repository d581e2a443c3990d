package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.TableSelection;
import dev.archon.sync.engine.schema.ArchonSchema;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables a sync replaces, found on both sides: by default every {@code archon_*} base table in the
 * source's Archon schema except the per-machine logs and Archon's own backup copies, less ARCHON_SYNC_EXCLUDE;
 * or the list ARCHON_SYNC_TABLES pins. Every other {@code archon_*} table on either side is {@link #leftOut}
 * with why; a table only the target has is left alone.
 *
 * @param synced   in Archon's known order, then by name (the load order follows the foreign keys)
 * @param oneSided tables left out that only one side has: their policies, triggers and views are no drift
 */
public record TableSet(List<TableName> synced, List<LeftOut> leftOut, boolean pinned, List<TableName> oneSided) {

    /** An {@code archon_*} table not synced, and why in plain words. */
    public record LeftOut(String table, String why) {
    }

    public static final String PER_MACHINE_LOG = "a per-machine log: what happened on this machine only";
    public static final String BACKUP_COPY = "Archon's backup copy of a table (its backup_database.sql)";
    public static final String EXCLUDED = "excluded by ARCHON_SYNC_EXCLUDE";
    static final String NOT_PINNED = "not in ARCHON_SYNC_TABLES";
    public static final String ONLY_ON_TARGET = "only on the target: left alone";

    public TableSet {
        synced = List.copyOf(synced);
        leftOut = List.copyOf(leftOut);
        oneSided = List.copyOf(oneSided);
    }

    /** Reads both sides' catalogs (the source in its snapshot). */
    public static TableSet find(Catalog source, Catalog target, TableSelection selection) throws SQLException {
        Set<TableName> onSource = new LinkedHashSet<>(source.archonTables(selection.schema()));
        Set<TableName> onTarget = new LinkedHashSet<>(target.archonTables(selection.schema()));
        return of(selection, onSource, onTarget);
    }

    /** The set for one side only (a restore's target, or where the other side is not read). */
    static TableSet of(TableSelection selection, Set<TableName> onSource, Set<TableName> onTarget) {
        List<TableName> synced = new ArrayList<>();
        if (selection.isPinned()) {
            selection.pinned().stream().filter(t -> !selection.excludes(t)).forEach(synced::add);
        } else {
            onSource.stream().filter(t -> whyNot(t, selection) == null).sorted(KNOWN_ORDER_FIRST).forEach(synced::add);
        }
        Set<TableName> everywhere = new java.util.TreeSet<>(onSource);
        everywhere.addAll(onTarget);
        List<LeftOut> leftOut = new ArrayList<>();
        List<TableName> oneSided = new ArrayList<>();
        for (TableName t : everywhere) {
            if (synced.contains(t)) {
                continue;
            }
            if (onSource.contains(t) != onTarget.contains(t)) {
                oneSided.add(t);
            }
            String why = whyNot(t, selection);
            if (why == null) {
                why = onSource.contains(t) ? NOT_PINNED : ONLY_ON_TARGET; // found on the source it would be synced
            }
            leftOut.add(new LeftOut(t.toString(), why));
        }
        return new TableSet(synced, leftOut, selection.isPinned(), oneSided);
    }

    /**
     * Whether the selection would sync this table if a side held it: a pinned name, or an {@code archon_*} table
     * of Archon's schema that no rule leaves out. A restore asks this of every name its manifest holds.
     */
    static boolean admits(TableSelection selection, TableName t) {
        if (selection.isPinned()) {
            return selection.pinned().contains(t) && !selection.excludes(t);
        }
        return t.schema().equals(selection.schema()) && t.name().startsWith("archon_") && whyNot(t, selection) == null;
    }

    /** Why a table is not synced by the rules alone, or null. */
    private static String whyNot(TableName t, TableSelection selection) {
        if (ArchonSchema.isPerMachineLog(t.name())) {
            return PER_MACHINE_LOG;
        }
        if (ArchonSchema.isBackupCopy(t.name())) {
            return BACKUP_COPY;
        }
        if (selection.excludes(t)) {
            return EXCLUDED;
        }
        return null;
    }

    private static final Comparator<TableName> KNOWN_ORDER_FIRST = Comparator
            .comparingInt((TableName t) -> {
                int i = ArchonSchema.KNOWN_ORDER.indexOf(t.name());
                return i < 0 ? Integer.MAX_VALUE : i;
            })
            .thenComparing(TableName::toString);
}
