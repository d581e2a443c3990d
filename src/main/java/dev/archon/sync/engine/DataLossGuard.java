package dev.archon.sync.engine;

import dev.archon.sync.pg.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed's "warn if data loss", made a refusal: a table where the target has more rows than the
 * source, or the source is empty and the target is not, would lose data. {@code force} overrides;
 * the scheduler never forces.
 */
public final class DataLossGuard {
    private DataLossGuard() {
    }

    public static List<Refusal> check(Map<TableName, Long> sourceRows, Map<TableName, Long> targetRows) {
        List<String> losses = new ArrayList<>();
        sourceRows.forEach((table, src) -> {
            long tgt = targetRows.getOrDefault(table, 0L);
            if (tgt > src) {
                losses.add(String.format("%s: target has %,d rows, source %,d (%,d would be lost)", table, tgt, src, tgt - src));
            }
        });
        if (losses.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal("data_loss",
                "the target would lose rows in " + losses.size() + " table(s): " + String.join("; ", losses)
                        + ". Sync in the other direction, or repeat with \"force\": true to replace them anyway"));
    }
}
