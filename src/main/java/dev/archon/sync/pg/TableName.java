package dev.archon.sync.pg;

/** A table as the user names it: {@code archon_sources} (schema public) or {@code schema.table}. */
public record TableName(String schema, String name) implements Comparable<TableName> {

    public static TableName parse(String text) {
        String t = text.trim();
        int dot = t.indexOf('.');
        return dot < 0 ? new TableName("public", t) : new TableName(t.substring(0, dot), t.substring(dot + 1));
    }

    /** Quoted and schema-qualified, safe to put into SQL whatever the session's search_path. */
    public String sql() {
        return Sql.ident(schema) + "." + Sql.ident(name);
    }

    @com.fasterxml.jackson.annotation.JsonValue
    @Override
    public String toString() {
        return schema.equals("public") ? name : schema + "." + name;
    }

    @Override
    public int compareTo(TableName o) {
        return toString().compareTo(o.toString());
    }
}
