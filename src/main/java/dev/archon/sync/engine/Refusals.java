package dev.archon.sync.engine;

import dev.archon.sync.pg.TableName;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Small helpers every preflight check shares. */
public final class Refusals {
    private Refusals() {
    }

    /** Stops preflight with every reason found so far, if there is one. */
    public static void throwIfAny(List<Refusal> refusals) {
        if (!refusals.isEmpty()) {
            throw new SyncRefusedException(refusals);
        }
    }

    public static String join(Collection<TableName> tables) {
        return tables.stream().map(TableName::toString).collect(Collectors.joining(", "));
    }
}
