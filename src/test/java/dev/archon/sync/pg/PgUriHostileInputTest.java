package dev.archon.sync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Connection strings as users paste them, and as an attacker would: parsed right or refused, never echoed. */
class PgUriHostileInputTest {

    @Test
    void anUnencodedPasswordEndsAtTheLastAtBeforeTheHost() {
        PgUri u = PgUri.parse("postgresql://postgres:p@ss:w/rd%@db.example.com/archon");
        assertEquals("postgres", u.user());
        assertEquals("db.example.com", u.host());
        assertEquals("archon", u.database());
        assertEquals("p@ss:w/rd%", u.jdbcProperties("t").getProperty("password"));
        assertEquals("p@ss:w/rd%", u.toolEnvironment().get("PGPASSWORD"));
        assertEquals("postgresql://postgres:***@db.example.com:5432/archon", u.toString());

        PgUri twoAts = PgUri.parse("postgresql://u:p@ssX@host:6000/d");
        assertEquals("host", twoAts.host());
        assertEquals(6000, twoAts.port());
        assertEquals("p@ssX", twoAts.jdbcProperties("t").getProperty("password"));
    }

    @Test
    void aPercentThatIsNoEscapeStaysAPercent() {
        assertEquals("50%off", PgUri.parse("postgresql://u:50%off@h/d").jdbcProperties("t").getProperty("password"));
        assertEquals("a%zz", PgUri.parse("postgresql://u:a%zz@h/d").jdbcProperties("t").getProperty("password"));
        assertEquals("a b", PgUri.parse("postgresql://u:a%20b@h/d").jdbcProperties("t").getProperty("password"));
    }

    @Test
    void conninfoWithQuotedValues() {
        PgUri u = PgUri.parse("host=db.example.com port=6001 dbname=archon user=me password='two words' sslmode=require");
        assertEquals("db.example.com", u.host());
        assertEquals(6001, u.port());
        assertEquals("archon", u.database());
        assertEquals("me", u.user());
        assertEquals("two words", u.jdbcProperties("t").getProperty("password"));
        assertEquals("require", u.jdbcProperties("t").getProperty("sslmode"));
        assertFalse(u.toString().contains("two"), u.toString());
        assertFalse(u.toString().contains("words"), u.toString());
        PgUri escaped = PgUri.parse("host=h password='it\\'s \\\\ odd' dbname = d");
        assertEquals("it's \\ odd", escaped.jdbcProperties("t").getProperty("password"));
        assertEquals("d", escaped.database());
    }

    @Test
    void passwordsInTheQueryAreSecretsToo() {
        PgUri u = PgUri.parse("postgresql://me@h/d?password=Qu3ry-Secret&sslpassword=K3y-Secret&sslmode=verify-full&gssencmode=disable");
        assertEquals("Qu3ry-Secret", u.jdbcProperties("t").getProperty("password"));
        assertEquals("K3y-Secret", u.jdbcProperties("t").getProperty("sslpassword"));
        assertEquals("disable", u.jdbcProperties("t").getProperty("gssEncMode"), "pgjdbc's name for gssencmode");
        assertEquals("verify-full", u.toolEnvironment().get("PGSSLMODE"));
        assertFalse(u.params().containsKey("password"));
        assertFalse(u.params().containsKey("sslpassword"));
        String printed = u.toString();
        assertFalse(printed.contains("Secret"), printed);
        assertTrue(printed.contains("sslmode=verify-full"), printed);
    }

    @Test
    void whatCannotBeParsedIsRefusedWithoutEchoingIt() {
        String secret = "S3cr3t-Hunter2";
        List<String> bad = List.of(
                "postgresql://u:" + secret + "@h:notaport/d",
                "postgresql://u:" + secret + "@h:99999/d",
                "postgresql://u:" + secret + "@h/d?" + secret + "=1",
                "postgresql://u:" + secret + "@h/d?colour=" + secret,
                "postgresql://u:" + secret + "@h1,h2/d",
                "host=h password='" + secret,
                "host=h " + secret,
                "jdbc:postgresql://h/d?password=" + secret,
                "just-" + secret,
                "postgresql://u:" + secret + "@h/d?application_name=a@b");
        for (String text : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PgUri.parse(text), text);
            assertFalse(e.getMessage().contains(secret), e.getMessage());
            assertFalse(e.getMessage().contains("Hunter"), e.getMessage());
            assertFalse(e.getMessage().isBlank());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PgUri.parse("postgresql://u:x@h:abc/d")).getMessage()
                .contains("port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PgUri.parse("postgresql://u:x@h/d?colour=red")).getMessage()
                .contains("'colour'"));
    }

    @Test
    void redactionGoesByStructureNotByTheWordThatIsThePassword() {
        PgUri.parse("postgresql://postgres:postgres@127.0.0.1:54322/postgres");
        assertEquals("install postgresql-client-17", Redactor.redact("install postgresql-client-17"));
        assertEquals("postgresql://postgres:***@127.0.0.1:54322/postgres",
                Redactor.redact("postgresql://postgres:postgres@127.0.0.1:54322/postgres"));
        assertEquals("the postgres role", Redactor.redact("the postgres role"));
        String unencoded = Redactor.redact("connecting to postgresql://postgres:p@ss:w/rd%@db.example.com/archon failed");
        assertEquals("connecting to postgresql://postgres:***@db.example.com/archon failed", unencoded);
        String conninfo = Redactor.redact("host=h password='two words' user=u sslpassword=abc PGPASSWORD=zz");
        assertEquals("host=h password=*** user=u sslpassword=*** PGPASSWORD=***", conninfo);
        assertEquals("see ?password=***&sslmode=require", Redactor.redact("see ?password=hunter2&sslmode=require"));
        assertEquals("postgresql://u:***@h/d", Redactor.redact("postgresql://u:a b@h/d"), "a space in the password");
    }

    /** The class, not the example: random passwords of the characters users trip over, in every form. */
    @Test
    void randomHostilePasswordsRoundTripInEveryFormOrAreRefusedSilently() {
        String alphabet = "@:/%' ?&=#\\\"abcXYZ019-_.~";
        Random r = new Random(8);
        int parsedRaw = 0;
        for (int n = 0; n < 2000; n++) {
            StringBuilder sb = new StringBuilder("Zq9");
            int len = 1 + r.nextInt(12);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String pw = sb.toString();
            String encoded = URLEncoder.encode(pw, StandardCharsets.UTF_8).replace("+", "%20");
            check(pw, "postgresql://me:" + encoded + "@db.example.com:5433/archon", true);
            check(pw, "postgresql://me@db.example.com:5433/archon?password=" + encoded, true);
            check(pw, "host=db.example.com port=5433 dbname=archon user=me password='"
                    + pw.replace("\\", "\\\\").replace("'", "\\'") + "'", true);
            if (!pw.matches(".*%[0-9A-Fa-f]{2}.*") && !pw.contains(" ")) { // a raw "%41" is an escape to libpq too
                parsedRaw += check(pw, "postgresql://me:" + pw + "@db.example.com:5433/archon", false) ? 1 : 0;
            }
        }
        assertTrue(parsedRaw > 1000, "most unencoded passwords are understood: " + parsedRaw);
    }

    private static boolean check(String pw, String text, boolean mustParse) {
        PgUri u;
        try {
            u = PgUri.parse(text);
        } catch (IllegalArgumentException e) {
            if (mustParse) {
                fail("could not parse a well-formed URL: " + e.getMessage());
            }
            assertFalse(e.getMessage().contains(pw), "the refusal echoes the password");
            return false;
        }
        assertEquals(pw, u.jdbcProperties("t").getProperty("password"), "password of " + text);
        assertEquals("db.example.com", u.host());
        assertEquals(5433, u.port());
        assertEquals("archon", u.database());
        assertEquals("me", u.user());
        assertFalse(u.toString().contains(pw), u.toString());
        String said = Redactor.redactUris("failed: " + text + " (retrying)");
        assertFalse(said.contains(pw), said);
        return true;
    }
}
