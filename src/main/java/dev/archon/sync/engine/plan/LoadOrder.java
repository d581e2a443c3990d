package dev.archon.sync.engine.plan;

import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parents before children (foreign keys among the synced tables), otherwise the configured order.
 * Self-references (archon_tasks.parent_task_id) are ignored; a cycle keeps the configured order for
 * the tables in it (FK triggers are off during the load, and verification checks every FK anyway).
 */
public final class LoadOrder {
    private LoadOrder() {
    }

    public static List<TableName> of(List<TableName> configured, List<ForeignKey> foreignKeys) {
        Set<TableName> set = new LinkedHashSet<>(configured);
        Map<TableName, Set<TableName>> parents = new LinkedHashMap<>();
        for (TableName t : configured) {
            parents.put(t, new LinkedHashSet<>());
        }
        for (ForeignKey fk : foreignKeys) {
            if (set.contains(fk.child()) && set.contains(fk.parent()) && !fk.child().equals(fk.parent())) {
                parents.get(fk.child()).add(fk.parent());
            }
        }
        List<TableName> order = new ArrayList<>();
        Set<TableName> done = new LinkedHashSet<>();
        while (order.size() < configured.size()) {
            TableName next = null;
            for (TableName t : configured) {
                if (!done.contains(t) && done.containsAll(parents.get(t))) {
                    next = t;
                    break;
                }
            }
            if (next == null) { // a cycle: take the first remaining table as configured
                next = configured.stream().filter(t -> !done.contains(t)).findFirst().orElseThrow();
            }
            order.add(next);
            done.add(next);
        }
        return order;
    }
}
