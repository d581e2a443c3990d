package dev.archon.sync.pg;

import java.util.List;

/** What the catalog tells us about the synced tables; plain values, read once per sync. */
public final class CatalogModel {
    private CatalogModel() {
    }

    /**
     * @param type       the type as format_type prints it, without the schema of an extension or user type,
     *                   so that {@code extensions.vector(1536)} and {@code public.vector(1536)} compare equal
     * @param binarySafe binary COPY works across databases for this type (no type OIDs in its wire form)
     */
    public record Column(String name, String type, boolean generated, boolean binarySafe) {
    }

    public record ForeignKey(String name, TableName child, List<String> childColumns, TableName parent,
            List<String> parentColumns) {
        @Override
        public String toString() {
            return name + " (" + child + "(" + String.join(", ", childColumns) + ") → " + parent + "("
                    + String.join(", ", parentColumns) + "))";
        }
    }

    /**
     * @param constraintIndex backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint (kept through the load)
     * @param pinned          something depends on it or it is the replica identity: never dropped
     */
    public record Index(String name, String schema, TableName table, String definition, String method,
            boolean constraintIndex, boolean pinned, boolean clustered, String comment, long oid, long relfilenode) {
        public String sql() {
            return Sql.ident(schema) + "." + Sql.ident(name);
        }

        public boolean rebuiltAroundLoad() {
            return !constraintIndex && !pinned;
        }
    }

    public record OwnedSequence(String sequence, TableName table, String column) {
    }

    public record SequenceState(long lastValue, boolean isCalled) {
        @Override
        public String toString() {
            return lastValue + (isCalled ? " (called)" : " (not called)");
        }
    }
}
