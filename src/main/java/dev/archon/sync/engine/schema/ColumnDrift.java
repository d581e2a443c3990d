package dev.archon.sync.engine.schema;

import dev.archon.sync.pg.CatalogModel.Column;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How one table's columns differ between two databases: by name, type and generated-ness, in words. */
public final class ColumnDrift {
    private ColumnDrift() {
    }

    /**
     * @param prefix put before each column name (e.g. "archon_sources.")
     * @param a      what to call the first side ("source", "local")
     * @param b      what to call the second side
     */
    public static List<String> between(List<Column> first, List<Column> second, String prefix, String a, String b) {
        Map<String, Column> others = new LinkedHashMap<>();
        second.forEach(c -> others.put(c.name(), c));
        List<String> out = new ArrayList<>();
        for (Column s : first) {
            Column t = others.remove(s.name());
            if (t == null) {
                out.add(prefix + s.name() + " (" + s.type() + ") is missing on the " + b);
            } else if (!t.type().equals(s.type())) {
                out.add(prefix + s.name() + " is " + s.type() + " on the " + a + " but " + t.type() + " on the " + b);
            } else if (t.generated() != s.generated()) {
                out.add(prefix + s.name() + " is " + (s.generated() ? "" : "not ") + "generated on the " + a + " but "
                        + (t.generated() ? "" : "not ") + "on the " + b);
            }
        }
        others.values().forEach(t -> out.add(prefix + t.name() + " (" + t.type() + ") exists only on the " + b));
        return out;
    }
}
