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

    private static void runScript(Connection c, String file) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql(file));
        } catch (SQLException e) {
            throw new SQLException("fixture/" + file + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }
}
