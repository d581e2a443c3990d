package dev.archon.sync.engine.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The definitions of Archon's functions, views, policies, triggers and row-level-security switches in one database, keyed so that the
 * same object on two databases has the same key, each with the SQL that creates it there. Used to find
 * an older (or newer) Archon on one side and to bring the source's definitions along.
 */
public final class ArchonDefinitions {

    /**
     * @param kind       function, view, policy, trigger or row-level-security
     * @param key        "kind schema.name(args)" / "policy name ON schema.table" …, extension schemas left out
     * @param definition compared text (extension schema qualifiers removed)
     * @param create     the SQL that (re)creates it as it is here
     * @param identity   functions and views: the name (with argument types) GRANT and DROP take; else null
     * @param returns    functions: the result type (extension schemas left out), which CREATE OR REPLACE
     *                   cannot change; else null
     * @param grants     functions and views: the GRANTs that give everyone but the owner the privileges they
     *                   have here (empty when nobody has any); else null
     */
    public record Definition(String kind, String key, String definition, String create, String identity, String returns,
            String grants) {
    }

    private ArchonDefinitions() {
    }

    public static Map<String, Definition> of(Connection c, ArchonSchema schema, Collection<String> extensionSchemas)
            throws SQLException {
        Map<String, Definition> out = new TreeMap<>();
        Long[] rel = schema.relations().keySet().toArray(Long[]::new);
        Long[] fns = schema.functions().keySet().toArray(Long[]::new);
        // function bodies and signatures print extension types qualified unless visible: compare without them
        String strip = extensionSchemas.stream().filter(s -> !schema.schemas().contains(s)).map(s -> "\\m" + s + "\\.")
                .reduce((a, b) -> a + "|" + b).orElse("(?!)");
        // privileges as GRANTs, owner's own left out (the target's owner is whoever runs the sync)
        query(c, """
                SELECT 'function', n.nspname || '.' || p.proname || '(' || regexp_replace(pg_get_function_identity_arguments(p.oid), ?, '', 'g') || ')',
                       regexp_replace(pg_get_functiondef(p.oid), ?, '', 'g'), pg_get_functiondef(p.oid),
                       f.identity, regexp_replace(pg_get_function_result(p.oid), ?, '', 'g'),
                       (SELECT coalesce(string_agg(format('GRANT %s ON FUNCTION %s TO %s%s', a.privilege_type, f.identity,
                                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                                   CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), '; '), '')
                        FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee <> p.proowner)
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
                     LATERAL (SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
                             || array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ', ') || ')' AS identity) f
                WHERE p.oid = ANY(?::oid[])
                """, new Object[] {strip, strip, strip, fns}, out);
        query(c, """
                SELECT 'view', n.nspname || '.' || c.relname, regexp_replace(pg_get_viewdef(c.oid), ?, '', 'g'),
                       'CREATE OR REPLACE VIEW ' || v.identity || ' AS ' || pg_get_viewdef(c.oid), v.identity, NULL,
                       (SELECT coalesce(string_agg(format('GRANT %s ON TABLE %s TO %s%s', a.privilege_type, v.identity,
                                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                                   CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), '; '), '')
                        FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                        -- MAINTAIN (PostgreSQL 17) means nothing on a view and is unknown to an older target
                        WHERE a.grantee <> c.relowner AND a.privilege_type <> 'MAINTAIN')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                     LATERAL (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS identity) v
                WHERE c.oid = ANY(?::oid[]) AND c.relkind = 'v'
                """, new Object[] {strip, rel}, out);
        query(c, """
                SELECT 'policy', p.policyname || ' ON ' || p.schemaname || '.' || p.tablename,
                       concat_ws(' ', p.permissive, p.cmd, p.roles::text, regexp_replace(coalesce(p.qual, ''), ?, '', 'g'),
                                 regexp_replace(coalesce(p.with_check, ''), ?, '', 'g')),
                       'DROP POLICY IF EXISTS ' || quote_ident(p.policyname) || ' ON ' || quote_ident(p.schemaname) || '.' || quote_ident(p.tablename)
                       || '; CREATE POLICY ' || quote_ident(p.policyname) || ' ON ' || quote_ident(p.schemaname) || '.' || quote_ident(p.tablename)
                       || ' AS ' || p.permissive || ' FOR ' || p.cmd || ' TO '
                       || (SELECT string_agg(CASE WHEN r = 'public' THEN 'PUBLIC' ELSE quote_ident(r) END, ', ') FROM unnest(p.roles) r)
                       || coalesce(' USING (' || p.qual || ')', '') || coalesce(' WITH CHECK (' || p.with_check || ')', ''),
                       NULL, NULL, NULL
                FROM pg_policies p JOIN pg_class c ON c.relname = p.tablename
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = p.schemaname
                WHERE c.oid = ANY(?::oid[])
                """, new Object[] {strip, strip, rel}, out);
        // a trigger's firing state (ALTER TABLE … DISABLE TRIGGER) is part of it: pg_get_triggerdef leaves it out
        query(c, """
                SELECT 'trigger', t.tgname || ' ON ' || n.nspname || '.' || c.relname, pg_get_triggerdef(t.oid) || ' state ' || t.tgenabled::text,
                       'DROP TRIGGER IF EXISTS ' || quote_ident(t.tgname) || ' ON ' || r.identity || '; ' || pg_get_triggerdef(t.oid)
                       || CASE t.tgenabled WHEN 'O' THEN '' ELSE '; ALTER TABLE ' || r.identity || CASE t.tgenabled
                            WHEN 'D' THEN ' DISABLE' WHEN 'R' THEN ' ENABLE REPLICA' ELSE ' ENABLE ALWAYS' END
                            || ' TRIGGER ' || quote_ident(t.tgname) END,
                       NULL, NULL, NULL
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
                     LATERAL (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS identity) r
                WHERE t.tgrelid = ANY(?::oid[]) AND NOT t.tgisinternal
                """, new Object[] {rel}, out);
        // whether policies apply at all: RLS enabled, and forced on the table's owner
        query(c, """
                SELECT 'row-level-security', n.nspname || '.' || c.relname,
                       CASE WHEN c.relrowsecurity THEN 'enabled' ELSE 'disabled' END || CASE WHEN c.relforcerowsecurity THEN ', forced' ELSE '' END,
                       'ALTER TABLE ' || r.identity || CASE WHEN c.relrowsecurity THEN ' ENABLE' ELSE ' DISABLE' END || ' ROW LEVEL SECURITY; '
                       || 'ALTER TABLE ' || r.identity || CASE WHEN c.relforcerowsecurity THEN ' FORCE' ELSE ' NO FORCE' END || ' ROW LEVEL SECURITY',
                       NULL, NULL, NULL
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                     LATERAL (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS identity) r
                WHERE c.oid = ANY(?::oid[]) AND c.relkind IN ('r', 'p')
                """, new Object[] {rel}, out);
        return out;
    }

    private static void query(Connection c, String sql, Object[] params, Map<String, Definition> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof Long[] oids) {
                    ps.setArray(i + 1, c.createArrayOf("bigint", oids));
                } else {
                    ps.setString(i + 1, (String) p);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1) + " " + rs.getString(2);
                    out.put(key, new Definition(rs.getString(1), key, rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7)));
                }
            }
        }
    }
}
