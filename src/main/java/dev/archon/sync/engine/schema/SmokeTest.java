package dev.archon.sync.engine.schema;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncReport;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * After the COMMIT of a sync that created Archon's schema: does the restored machine answer the way
 * Archon will ask? As {@code service_role} (Archon's server's role, when the target has it): the
 * vector search RPC, called with a vector stored in the table, must return that very row; the
 * knowledge-base and project tables must show the rows the source had. Read-only, rolled back. A failure
 * cannot undo the COMMIT; it is reported (progress object, history message) for the user to act on.
 */
public final class SmokeTest {
    /** The tables Archon's knowledge-base and projects pages count. */
    private static final List<String> COUNTED = List.of("archon_sources", "archon_crawled_pages", "archon_code_examples",
            "archon_page_metadata", "archon_projects", "archon_tasks");
    private static final int[] DIMENSIONS = {1536, 768, 384, 1024, 3072};

    private SmokeTest() {
    }

    public static SyncReport.SmokeTestResult run(SyncContext ctx) throws SQLException {
        Connection c = ctx.targetConnection;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            String role = Sql.queryString(c, "SELECT rolname FROM pg_roles WHERE rolname = 'service_role'");
            if (role != null) {
                Sql.exec(c, "SET LOCAL ROLE service_role");
                Sql.exec(c, "SELECT set_config('request.jwt.claim.role', 'service_role', true)");
            }
            Sql.exec(c, "SELECT set_config('ivfflat.probes', '32768', true)"); // exact: every list probed
            List<String> problems = new ArrayList<>();
            Map<String, long[]> counts = new LinkedHashMap<>();
            for (TablePlan t : ctx.plan.tables()) {
                if (COUNTED.contains(t.table().name())) {
                    long seen = Sql.queryLong(c, "SELECT count(*) FROM " + t.table().sql());
                    counts.put(t.table().toString(), new long[] {seen, t.sourceRows()});
                    if (seen != t.sourceRows()) {
                        problems.add(String.format("%s shows %,d rows, the source has %,d", t.table(), seen, t.sourceRows()));
                    }
                }
            }
            String search = null;
            List<Long> ids = new ArrayList<>();
            Optional<TableName> pages = ctx.plan.tableNames().stream().filter(t -> t.name().equals("archon_crawled_pages")).findFirst();
            String fn = pages.isEmpty() ? null : Sql.queryString(c, "SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) "
                    + "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'match_archon_crawled_pages_multi' "
                    + "AND n.nspname = ? AND p.pronargs >= 3 ORDER BY p.oid LIMIT 1", pages.get().schema());
            if (fn == null) {
                problems.add("the target has no match_archon_crawled_pages_multi to search with");
            } else {
                search = searchWithStoredVector(c, fn, pages.get(), ids, problems);
            }
            boolean passed = problems.isEmpty();
            String message = passed
                    ? String.format("smoke test passed%s: %s; row counts match", role == null ? "" : " as " + role,
                            search == null ? fn + " exists (no stored vector to search with)"
                                    : search + " returned the stored row (" + ids.size() + " rows)")
                    : "smoke test FAILED" + (role == null ? "" : " as " + role) + ": " + String.join("; ", problems);
            return new SyncReport.SmokeTestResult(passed, role, search, ids, counts, message);
        } catch (SQLException e) {
            return new SyncReport.SmokeTestResult(false, null, null, List.of(), Map.of(), "smoke test FAILED: " + e.getMessage());
        } finally {
            c.rollback();
            c.setAutoCommit(auto);
        }
    }

    private static String searchWithStoredVector(Connection c, String fn, TableName pages, List<Long> ids, List<String> problems)
            throws SQLException {
        for (int dim : DIMENSIONS) {
            String col = "embedding_" + dim;
            String stored = Sql.queryString(c, "SELECT id::text FROM " + pages.sql() + " WHERE " + Sql.ident(col)
                    + " IS NOT NULL ORDER BY id LIMIT 1");
            if (stored == null) {
                continue;
            }
            long id = Long.parseLong(stored);
            String call = fn + "((SELECT " + Sql.ident(col) + " FROM " + pages.sql() + " WHERE id = ?), " + dim + ", 5)";
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + call)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (ids.isEmpty() || !ids.contains(id)) {
                problems.add(fn + " with row " + id + "'s own " + col + " returned " + ids + ", not that row");
            }
            return fn + "(<row " + id + "'s " + col + ">, " + dim + ", 5)";
        }
        return null; // nothing stored to search with (an empty knowledge base): the function's presence is what is checked
    }
}
