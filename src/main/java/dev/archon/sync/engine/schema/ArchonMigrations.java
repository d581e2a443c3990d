package dev.archon.sync.engine.schema;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Archon's migrations as each side's {@code archon_migrations} records them ("version/name"): when the
 * sides' tables or columns differ, which migrations one side has and the other lacks says why, and what to do.
 */
public record ArchonMigrations(Set<String> onSource, Set<String> onTarget) {
    private static final int NAMED = 8;

    public ArchonMigrations {
        onSource = new TreeSet<>(onSource);
        onTarget = new TreeSet<>(onTarget);
    }

    List<String> onlyOnSource() {
        return onSource.stream().filter(m -> !onTarget.contains(m)).toList();
    }

    List<String> onlyOnTarget() {
        return onTarget.stream().filter(m -> !onSource.contains(m)).toList();
    }

    /** " The source has migration(s) … that the target lacks; …" or, when they agree or are unknown, what to do anyway. */
    public String explain() {
        List<String> src = onlyOnSource();
        List<String> tgt = onlyOnTarget();
        if (src.isEmpty() && tgt.isEmpty()) {
            return onSource.isEmpty() && onTarget.isEmpty() ? " Neither side records Archon's migrations (archon_migrations)."
                    : " Both sides record the same Archon migrations: the schema was changed by hand on one of them.";
        }
        StringBuilder sb = new StringBuilder();
        if (!src.isEmpty()) {
            sb.append(" The source has ").append(named(src)).append(" that the target lacks: run them on the target");
        }
        if (!tgt.isEmpty()) {
            sb.append(src.isEmpty() ? " " : "; ").append("the target has ").append(named(tgt))
                    .append(" that the source lacks: run them on the source");
        }
        return sb.append('.').toString();
    }

    private static String named(List<String> migrations) {
        String names = String.join(", ", migrations.subList(0, Math.min(NAMED, migrations.size())));
        return (migrations.size() == 1 ? "migration " : migrations.size() + " migrations ") + names
                + (migrations.size() > NAMED ? ", …" : "");
    }
}
