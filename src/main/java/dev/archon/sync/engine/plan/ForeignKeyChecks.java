package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.Refusals;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Foreign keys that cross the edge of the synced set, found before anything is loaded, in both directions:
 * a table outside the set referencing one in it (its TRUNCATE would fail, and CASCADE would empty the
 * outsider, which this tool never does), and a synced table referencing rows of an unsynced parent that the
 * target does not have (the source's values, read in the snapshot, against the target's parent rows; a fresh
 * target has none). The refusal names every table to add, at once: those found and, through their own
 * foreign keys, the tables they would bring along.
 */
final class ForeignKeyChecks {
    private static final int EXAMPLES = 3;

    private ForeignKeyChecks() {
    }

    /** Tables outside the set whose foreign keys point into it, as {@code fks} (one side's catalog) knows them. */
    static List<Refusal> fromOutside(Collection<TableName> set, List<ForeignKey> fks, String whereToAdd) {
        List<ForeignKey> blocking = outsideChildren(set, fks);
        if (blocking.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal("foreign_key_from_outside", "table(s) outside the synced set reference it, so the TRUNCATE "
                + "would fail (and CASCADE would empty them, which this tool never does): "
                + blocking.stream().map(ForeignKey::toString).collect(Collectors.joining("; ")) + ". Add the referencing table to "
                + whereToAdd + " or drop the constraint"));
    }

    /**
     * Both directions for a sync.
     *
     * @param edgeCatalog the catalog whose foreign keys into the set matter: the target's, or the source's when the
     *                    target is fresh (its tables are created as the source has them)
     */
    static List<Refusal> check(SyncContext ctx, TargetTransaction tx, TableSet set, Catalog source, Catalog edgeCatalog,
            Catalog target) throws SQLException {
        List<TableName> synced = set.synced();
        List<ForeignKey> outside = outsideChildren(synced, edgeCatalog.foreignKeysTouching(synced));
        List<String> dangling = new ArrayList<>();
        Set<TableName> parents = new LinkedHashSet<>();
        for (ForeignKey fk : source.foreignKeysTouching(synced)) {
            if (synced.contains(fk.child()) && !synced.contains(fk.parent())) {
                String missing = missingParentRows(ctx.sourceConnection, tx, target, fk);
                if (missing != null) {
                    dangling.add(missing);
                    parents.add(fk.parent());
                }
            }
        }
        if (outside.isEmpty() && dangling.isEmpty()) {
            return List.of();
        }
        Set<TableName> add = new LinkedHashSet<>(outside.stream().map(ForeignKey::child).toList());
        add.addAll(parents);
        String where = set.pinned() ? "ARCHON_SYNC_TABLES"
                : "the set (take them out of ARCHON_SYNC_EXCLUDE, or list every table to sync in ARCHON_SYNC_TABLES)";
        String together = " Add them all at once — " + Refusals.join(bringAlong(synced, add, source)) + " — to " + where
                + ", or drop the constraint";
        List<Refusal> out = new ArrayList<>();
        if (!outside.isEmpty()) {
            out.add(new Refusal("foreign_key_from_outside", "table(s) outside the synced set reference it, so the TRUNCATE would "
                    + "fail (and CASCADE would empty them, which this tool never does): "
                    + outside.stream().map(ForeignKey::toString).collect(Collectors.joining("; ")) + "." + together));
        }
        if (!dangling.isEmpty()) {
            out.add(new Refusal("foreign_key_to_unsynced", "synced table(s) reference rows of a table outside the set that the "
                    + "target does not have, so the loaded rows would break the constraint: " + String.join("; ", dangling) + "."
                    + together));
        }
        return out;
    }

    private static List<ForeignKey> outsideChildren(Collection<TableName> set, List<ForeignKey> fks) {
        return fks.stream().filter(fk -> set.contains(fk.parent()) && !set.contains(fk.child())).toList();
    }

    /** The tables to add and, through their foreign keys on the source, every table they need in turn. */
    private static List<TableName> bringAlong(List<TableName> synced, Set<TableName> add, Catalog source) throws SQLException {
        Set<TableName> all = new LinkedHashSet<>(add);
        for (boolean grew = true; grew; ) {
            grew = false;
            for (ForeignKey fk : source.foreignKeysTouching(List.copyOf(all))) {
                for (TableName t : List.of(fk.child(), fk.parent())) {
                    if (!synced.contains(t) && all.add(t)) {
                        grew = true;
                    }
                }
            }
        }
        return List.copyOf(all);
    }

    /**
     * The source's values of the foreign key (in the snapshot) that the target's parent lacks, in words, or null
     * when the target has every one.
     */
    private static String missingParentRows(Connection sourceConnection, TargetTransaction tx, Catalog target, ForeignKey fk)
            throws SQLException {
        List<String> keys = new ArrayList<>();
        String childKey = key(fk.childColumns(), "c");
        try (PreparedStatement ps = sourceConnection.prepareStatement("SELECT DISTINCT " + childKey + " FROM " + fk.child().sql()
                + " c WHERE " + fk.childColumns().stream().map(col -> "c." + Sql.ident(col) + " IS NOT NULL")
                .collect(Collectors.joining(" AND "))); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        if (keys.isEmpty()) {
            return null;
        }
        List<String> missing;
        if (target.existingTables(List.of(fk.parent())).isEmpty()) {
            missing = keys;
        } else {
            missing = tx.inRolledBackTransaction(c -> {
                String parentKey = key(fk.parentColumns(), "p");
                try (PreparedStatement ps = c.prepareStatement("SELECT k FROM unnest(?::text[]) k WHERE NOT EXISTS (SELECT 1 FROM "
                        + fk.parent().sql() + " p WHERE " + parentKey + " = k) ORDER BY k")) {
                    Array array = c.createArrayOf("text", keys.toArray());
                    ps.setArray(1, array);
                    List<String> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(1));
                        }
                    }
                    return out;
                }
            });
        }
        if (missing.isEmpty()) {
            return null;
        }
        return String.format("%s(%s) → %s: %,d value(s) the target's %s lacks (e.g. %s)", fk.child(),
                String.join(", ", fk.childColumns()), fk.parent(), missing.size(), fk.parent(),
                String.join(", ", missing.subList(0, Math.min(EXAMPLES, missing.size()))));
    }

    /** The key's text: the value for one column, the row's text for several. */
    private static String key(List<String> columns, String alias) {
        List<String> cols = columns.stream().map(col -> alias + "." + Sql.ident(col)).toList();
        return cols.size() == 1 ? cols.get(0) + "::text" : "ROW(" + String.join(", ", cols) + ")::text";
    }
}
