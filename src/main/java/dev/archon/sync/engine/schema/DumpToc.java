package dev.archon.sync.engine.schema;

import dev.archon.sync.engine.schema.ArchonSchema.CatalogId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The table of contents of a custom-format archive ({@code pg_restore -l}), and the selection of the
 * entries that make up Archon's schema, written back as a list for {@code pg_restore -L}. Entries with
 * their own catalog object are chosen by (classid, oid); comments, privileges and sequence ownership
 * (listed as "0 0") by the object they belong to.
 */
public final class DumpToc {
    /** pg_dump's entry kinds that are more than one word, longest first. */
    private static final List<String> MULTI_WORD = List.of("MATERIALIZED VIEW DATA", "SEQUENCE OWNED BY", "TEXT SEARCH CONFIGURATION",
            "TEXT SEARCH DICTIONARY", "FOREIGN DATA WRAPPER", "PROCEDURAL LANGUAGE", "MATERIALIZED VIEW", "PUBLICATION TABLE",
            "OPERATOR FAMILY", "OPERATOR CLASS", "CHECK CONSTRAINT", "FK CONSTRAINT", "ROW SECURITY", "SEQUENCE SET", "FOREIGN TABLE", "EVENT TRIGGER",
            "LARGE OBJECT", "USER MAPPING", "INDEX ATTACH", "TABLE ATTACH", "DEFAULT ACL", "TABLE DATA", "SHELL TYPE");
    /** Kinds whose comment or privilege entry names them by another word (a view's ACL says TABLE). */
    private static final List<String> RELATION_WORDS = List.of("TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "FOREIGN TABLE");

    public record Entry(String line, long classId, long oid, String desc, String namespace, String tag) {
        CatalogId id() {
            return new CatalogId(classId, oid);
        }
    }

    private final List<Entry> entries;

    private DumpToc(List<Entry> entries) {
        this.entries = entries;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Parses pg_restore -l output; comment lines (;) are skipped. */
    public static DumpToc parse(String listing) {
        List<Entry> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            if (line.isBlank() || line.startsWith(";")) {
                continue;
            }
            String[] head = line.split(" ", 4); // "id;" classid oid rest
            if (head.length < 4) {
                continue;
            }
            String rest = head[3];
            String desc = MULTI_WORD.stream().filter(d -> rest.startsWith(d + " ")).findFirst().orElse(rest.split(" ", 2)[0]);
            String afterDesc = rest.substring(Math.min(rest.length(), desc.length() + 1));
            int sp = afterDesc.indexOf(' ');
            String namespace = sp < 0 ? afterDesc : afterDesc.substring(0, sp);
            String tagAndOwner = sp < 0 ? "" : afterDesc.substring(sp + 1);
            int last = tagAndOwner.lastIndexOf(' ');
            String tag = last < 0 ? tagAndOwner : tagAndOwner.substring(0, last);
            out.add(new Entry(line, Long.parseLong(head[1]), Long.parseLong(head[2]), desc, namespace, tag));
        }
        return new DumpToc(out);
    }

    /**
     * The entries of Archon's objects, in the archive's (dependency) order.
     *
     * @param skip objects not to create (the target has them already), with their comments and privileges
     */
    public List<Entry> archonEntries(ArchonSchema schema, Set<CatalogId> skip) {
        return select(schema.members(), skip);
    }

    /** The entries of these objects (minus {@code skip}) with their comments, privileges and sequence ownership. */
    List<Entry> select(Set<CatalogId> members, Set<CatalogId> skip) {
        Set<CatalogId> wanted = new HashSet<>(members);
        wanted.removeAll(skip);
        List<Entry> chosen = new ArrayList<>();
        Set<String> owned = new HashSet<>(); // "namespace|KIND tag" of what the comments and privileges refer to
        for (Entry e : entries) {
            if (e.oid() != 0 && wanted.contains(e.id())) {
                chosen.add(e);
                owned.addAll(references(e));
            }
        }
        Predicate<Entry> belongs = e -> {
            if (e.desc().equals("SEQUENCE OWNED BY")) {
                return owned.contains(e.namespace() + "|SEQUENCE " + e.tag());
            }
            if (!e.desc().equals("COMMENT") && !e.desc().equals("ACL")) {
                return false;
            }
            if (e.tag().startsWith("COLUMN ")) {
                String col = e.tag().substring("COLUMN ".length());
                int dot = col.lastIndexOf('.');
                return dot > 0 && owned.contains(e.namespace() + "|TABLE " + col.substring(0, dot));
            }
            if (e.tag().startsWith("FUNCTION ") || e.tag().startsWith("PROCEDURE ")) {
                String signature = e.tag().substring(e.tag().indexOf(' ') + 1);
                return chosen.stream().anyMatch(f -> (f.desc().equals("FUNCTION") || f.desc().equals("PROCEDURE"))
                        && f.namespace().equals(e.namespace()) && sameFunction(f.tag(), signature));
            }
            return owned.contains(e.namespace() + "|" + e.tag());
        };
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (chosen.contains(e) || (e.oid() == 0 && e.classId() == 0 && belongs.test(e))) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * A function's own entry lists its argument types ({@code f(uuid, text)}); its comment and privilege
     * entries list them with their names ({@code f(task_id uuid, by text)}).
     */
    static boolean sameFunction(String typesTag, String namedTag) {
        int a = typesTag.indexOf('(');
        int b = namedTag.indexOf('(');
        if (a < 0 || b < 0 || !typesTag.substring(0, a).equals(namedTag.substring(0, b))) {
            return false;
        }
        List<String> types = arguments(typesTag.substring(a + 1, typesTag.lastIndexOf(')')));
        List<String> named = arguments(namedTag.substring(b + 1, namedTag.lastIndexOf(')')));
        if (types.size() != named.size()) {
            return false;
        }
        for (int i = 0; i < types.size(); i++) {
            if (!named.get(i).equals(types.get(i)) && !named.get(i).endsWith(" " + types.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> arguments(String list) {
        return list.isBlank() ? List.of() : List.of(list.split(", "));
    }

    /** How comment and privilege entries name this object. */
    private static List<String> references(Entry e) {
        String ns = e.namespace() + "|";
        List<String> out = new ArrayList<>();
        switch (e.desc()) {
            case "TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "FOREIGN TABLE" ->
                    RELATION_WORDS.forEach(w -> out.add(ns + w + " " + e.tag()));
            case "CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT", "TRIGGER", "POLICY" -> {
                int sp = e.tag().indexOf(' ');
                if (sp > 0) {
                    String word = e.desc().endsWith("CONSTRAINT") ? "CONSTRAINT" : e.desc();
                    out.add(ns + word + " " + e.tag().substring(sp + 1) + " ON " + e.tag().substring(0, sp));
                }
            }
            default -> out.add(ns + e.desc() + " " + e.tag());
        }
        return out;
    }

    /** The list file for pg_restore -L. */
    public static String listFile(List<Entry> chosen) {
        StringBuilder sb = new StringBuilder();
        chosen.forEach(e -> sb.append(e.line()).append('\n'));
        return sb.toString();
    }
}
