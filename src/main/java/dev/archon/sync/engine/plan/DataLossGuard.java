package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.Refusal;
import dev.archon.sync.pg.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed's "warn if data loss", made a refusal. {@code force} overrides; the scheduler never forces.
 * It knows the last sync ({@link LastSync}): a target table that still holds exactly what the last sync
 * left has nothing of its own to lose, so replacing it loses only what the source itself deleted —
 * allowed. Rows the target gained since, or any table on a first sync, count as lost when the target has
 * more rows than the source. A wipe is refused always: a source table that is empty, or holds less than
 * half the target's rows when the target has at least {@value #WIPE_MIN_ROWS} (the seed's disaster: 0
 * crawled pages about to replace 218,714).
 */
public final class DataLossGuard {
    private DataLossGuard() {
    }

    static final long WIPE_MIN_ROWS = 100;

    /**
     * What the guard knows of one table.
     *
     * @param identical          source and target hold the same rows (fingerprints equal)
     * @param unchangedSinceLast the target still holds what the last sync left; null: no sync into it is recorded
     */
    public record TableState(long sourceRows, long targetRows, boolean identical, Boolean unchangedSinceLast) {
    }

    /** The guard with the last sync's memory (a sync's preflight). */
    public static List<Refusal> check(Map<TableName, TableState> tables) {
        List<String> losses = new ArrayList<>();
        tables.forEach((table, s) -> {
            long lost = s.targetRows() - s.sourceRows();
            if (s.targetRows() > 0 && (s.sourceRows() == 0 || (s.targetRows() >= WIPE_MIN_ROWS && 2 * s.sourceRows() < s.targetRows()))) {
                losses.add(String.format("%s: target has %,d rows, source %,d (%,d would be lost: the source looks wiped)",
                        table, s.targetRows(), s.sourceRows(), lost));
            } else if (!s.identical() && !Boolean.TRUE.equals(s.unchangedSinceLast()) && lost > 0) {
                losses.add(String.format("%s: target has %,d rows, source %,d (%,d would be lost: %s)", table, s.targetRows(),
                        s.sourceRows(), lost, s.unchangedSinceLast() == null ? "no earlier sync into this target is recorded"
                                : "the target changed since the last sync"));
            }
        });
        return refusal(losses);
    }

    /** Row counts only (the comparison endpoint, which reads no fingerprints): every table as on a first sync. */
    public static List<Refusal> check(Map<TableName, Long> sourceRows, Map<TableName, Long> targetRows) {
        List<String> losses = new ArrayList<>();
        sourceRows.forEach((table, src) -> {
            long tgt = targetRows.getOrDefault(table, 0L);
            if (tgt > src) {
                losses.add(String.format("%s: target has %,d rows, source %,d (%,d would be lost)", table, tgt, src, tgt - src));
            }
        });
        return refusal(losses);
    }

    private static List<Refusal> refusal(List<String> losses) {
        if (losses.isEmpty()) {
            return List.of();
        }
        return List.of(new Refusal("data_loss",
                "the target would lose rows in " + losses.size() + " table(s): " + String.join("; ", losses)
                        + ". Sync in the other direction, or repeat with \"force\": true to replace them anyway"));
    }
}
