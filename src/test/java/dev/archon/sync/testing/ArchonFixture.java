package dev.archon.sync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Loads the Archon-shaped fixture from {@code <basedir>/fixture/} into a database.
 * pgjdbc runs a whole multi-statement script (dollar-quoted bodies included) in one
 * {@link Statement#execute}, so the SQL files are sent as they are.
 */
public final class ArchonFixture {

    private ArchonFixture() {
    }

    /** The fixture directory ({@code fixture/} under the Maven basedir). */
    public static Path dir() {
        return Path.of(System.getProperty("user.dir"), "fixture");
    }

    public static String sql(String file) {
        try {
            return Files.readString(dir().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture/" + file, e);
        }
    }

    /** Supabase emulation + Archon's 19 tables (no rows). */
    public static void install(Connection c) throws SQLException {
        installSupabaseOnly(c);
        runScript(c, "archon-schema.sql");
    }

    /** A "fresh Supabase" database: extensions, auth schema and roles, but no Archon tables. */
    public static void installSupabaseOnly(Connection c) throws SQLException {
        runScript(c, "supabase-emulation.sql");
    }

    /**
     * Fills the (empty) Archon tables: scale 1.0 = the production seed's row counts; deterministic
     * for a given (scale, seed). The generator function is dropped afterwards, so the database
     * holds only Archon's objects.
     */
    public static void generate(Connection c, double scale, long seed) throws SQLException {
        runScript(c, "generate.sql");
        try (PreparedStatement ps = c.prepareStatement("SELECT public.archon_fixture_generate(?, ?)")) {
            ps.setDouble(1, scale);
            ps.setDouble(2, seed);
            ps.execute();
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("DROP FUNCTION IF EXISTS public.archon_fixture_generate(float8, float8)");
            }
        }
    }

    /**
     * The one way tests make a fixture database: creates {@code db} on the cluster from {@code template} and
     * fills it — nothing more when the template already has what is wanted, Supabase's emulation only for a
     * fresh machine ({@code archonTables} false), Archon's schema when the template is empty, and rows when
     * {@code scale} > 0 (deterministic per scale and seed).
     *
     * @param template "template0" for an empty database, or an Archon schema template (rows are then generated into it)
     */
    public static void createDatabase(PgCluster c, String db, String template, boolean archonTables, double scale, long seed)
            throws SQLException {
        c.createDatabase(db, template);
        try (Connection conn = c.connect(db)) {
            boolean empty = template.equals("template0");
            if (empty && !archonTables) {
                installSupabaseOnly(conn);
            } else if (empty) {
                install(conn);
            }
            if (archonTables && scale > 0) {
                generate(conn, scale, seed);
            }
        }
    }

    /**
     * Creates {@code db} as a database of the given Archon version with its rows for {@code seed}: from the
     * cluster's Supabase template (the fork versions: from its empty fork schema), then the version's scripts
     * in a new session, so that role postgres's search_path (extensions on it, as on Supabase) applies to
     * SQL that writes vector(1536) unqualified.
     */
    public static void createVersionDatabase(PgCluster c, String db, ArchonVersion v, long seed) throws SQLException {
        boolean fork = v == ArchonVersion.FORK || v == ArchonVersion.FORK_DEVELOP;
        c.createDatabase(db, fork ? TestClusters.SCHEMA : TestClusters.SUPABASE);
        try (Connection conn = c.connect(db)) {
            for (String file : v.schema) {
                runScript(conn, file);
            }
            if (fork) {
                generate(conn, ArchonVersion.FORK_SCALE, seed);
            }
            if (v.rows != null && !fork) {
                fillRows(conn, v.rows, seed);
            }
            for (String file : v.after) {
                runScript(conn, file);
            }
            if (v.rows != null && fork) {
                fillRows(conn, v.rows, seed);
            }
            try (Statement st = conn.createStatement()) {
                st.execute("ANALYZE");
            }
        }
    }

    /** Runs a rows script: it defines one public.archon_fixture_*_rows(seed) function, called once, then dropped. */
    private static void fillRows(Connection c, String file, long seed) throws SQLException {
        String function = sql(file).replaceFirst("(?s).*CREATE FUNCTION (public\\.archon_fixture_\\w+)\\(.*", "$1");
        runScript(c, file);
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
            ps.setDouble(1, seed);
            ps.execute();
        } catch (SQLException e) {
            throw new SQLException("fixture/" + file + ": " + e.getMessage(), e.getSQLState(), e);
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("DROP FUNCTION IF EXISTS " + function + "(float8)");
            }
        }
    }

    private static void runScript(Connection c, String file) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql(file));
        } catch (SQLException e) {
            throw new SQLException("fixture/" + file + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }
}
