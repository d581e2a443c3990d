package dev.archon.sync.engine;

import dev.archon.sync.pg.TableName;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tables the user wants synced: those found in Archon's schema (the default), or a list they pinned
 * (ARCHON_SYNC_TABLES); either way less the ones they exclude (ARCHON_SYNC_EXCLUDE, names or {@code *} patterns).
 *
 * @param pinned  the explicit list, in the order given; empty: found
 * @param exclude names ({@code archon_prompts}, {@code schema.table}) or patterns ({@code archon_*_log})
 * @param schema  where a found set is looked for: Archon's schema
 */
public record TableSelection(List<TableName> pinned, List<String> exclude, String schema) {
    public static final String ARCHON_SCHEMA = "public";

    public TableSelection {
        pinned = List.copyOf(pinned);
        exclude = exclude.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Every Archon table found in the source's schema, less the exclusions. */
    public static TableSelection found(List<String> exclude) {
        return new TableSelection(List.of(), exclude, ARCHON_SCHEMA);
    }

    public static TableSelection pinned(List<TableName> tables, List<String> exclude) {
        return new TableSelection(tables, exclude, tables.isEmpty() ? ARCHON_SCHEMA : tables.get(0).schema());
    }

    public boolean isPinned() {
        return !pinned.isEmpty();
    }

    public boolean excludes(TableName t) {
        return exclude.stream().anyMatch(e -> pattern(e).matcher(t.toString()).matches()
                || pattern(e).matcher(t.schema() + "." + t.name()).matches());
    }

    private static Pattern pattern(String glob) {
        List<String> parts = java.util.Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).toList();
        return Pattern.compile(String.join(".*", parts));
    }
}
