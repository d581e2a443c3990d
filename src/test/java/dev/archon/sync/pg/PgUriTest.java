package dev.archon.sync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PgUriTest {
    @Test
    void parsesSupabaseUrlsAndKeepsThePasswordOutOfEveryPrintedForm() {
        PgUri u = PgUri.parse("postgresql://postgres.abcdefgh:p%40ss%2Fw0rd@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require");
        assertEquals("postgres.abcdefgh", u.user());
        assertEquals("aws-0-eu-central-1.pooler.supabase.com", u.host());
        assertEquals(5432, u.port());
        assertEquals("postgres", u.database());
        assertFalse(u.toString().contains("p@ss/w0rd"), u.toString());
        assertTrue(u.toString().contains(":***@"), u.toString());
        assertEquals("jdbc:postgresql://aws-0-eu-central-1.pooler.supabase.com:5432/postgres", u.jdbcUrl());
        Map<String, String> env = u.toolEnvironment();
        assertEquals("p@ss/w0rd", env.get("PGPASSWORD"));
        assertEquals("require", env.get("PGSSLMODE"));
        assertEquals("p@ss/w0rd", u.jdbcProperties("x").getProperty("password"));
        assertEquals("require", u.jdbcProperties("x").getProperty("sslmode"));
    }

    @Test
    void defaultsLikeLibpq() {
        PgUri u = PgUri.parse("postgres://127.0.0.1/archon");
        assertEquals(5432, u.port());
        assertEquals("postgres", u.user());
        assertFalse(u.hasPassword());
    }

    @Test
    void redactorRemovesPasswordsFromAnyText() {
        PgUri.parse("postgresql://u:s3cret-value@h:5432/d");
        String text = "connection to postgresql://u:s3cret-value@h:5432/d failed; password=s3cret-value; also s3cret-value";
        String red = Redactor.redact(text);
        assertFalse(red.contains("s3cret-value"), red);
    }

    @Test
    void rejectsWhatIsNotAUri() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PgUri.parse("host=x password='topsecret"));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }
}
