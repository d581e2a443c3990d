package dev.archon.sync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pg tool child sees only what it needs: no inherited service variables, the password only in a 0600 passfile. */
class ToolProcessEnvironmentTest {
    private static final Set<String> ALLOWED = Set.of("PATH", "HOME", "TMPDIR", "TZ", "LANG", "LANGUAGE", "LC_ALL",
            "LC_CTYPE", "LC_MESSAGES", "LC_COLLATE", "LC_NUMERIC", "LC_TIME", "LC_MONETARY");

    @Test
    void theChildGetsAMinimalEnvironmentAndAPrivatePassfile(@TempDir Path bin) throws Exception {
        // a stand-in "pg_dump" that reports its environment, argv and its passfile as it sees them
        Path tool = bin.resolve("pg_dump");
        Files.writeString(tool, "#!/bin/sh\n"
                + "tr '\\0' '\\n' < /proc/$$/environ > \"$PGHOST.env\"\n"
                + "tr '\\0' ' ' < /proc/$$/cmdline > \"$PGHOST.argv\"\n"
                + "stat -c %a \"$PGPASSFILE\" > \"$PGHOST.mode\"\n"
                + "cat \"$PGPASSFILE\" > \"$PGHOST.pass\"\n");
        tool.toFile().setExecutable(true);
        String secret = "Pa:ss\\w0rd@'with space";
        // the host doubles as the prefix of the report files
        PgUri uri = PgUri.parse("host=" + bin.resolve("r") + " dbname=db user=me sslmode=verify-full password='"
                + secret.replace("\\", "\\\\").replace("'", "\\'") + "'");
        ToolProcess.Result r = ToolProcess.run(new PgClient(15, "15", bin), "pg_dump", List.of("--schema-only"), uri, null, null);
        assertEquals(0, r.exitCode(), r.stderr());

        Map<String, String> env = new TreeMap<>(Files.readAllLines(bin.resolve("r.env")).stream().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> b)));
        for (String k : env.keySet()) {
            assertTrue(ALLOWED.contains(k) || k.startsWith("PG") || k.equals("PWD") || k.equals("SHLVL") || k.equals("_")
                    || k.equals("OLDPWD"), "unexpected variable in the child: " + k);
        }
        assertFalse(env.containsKey("PGPASSWORD"), "no password in the environment");
        assertEquals("verify-full", env.get("PGSSLMODE"));
        assertEquals("me", env.get("PGUSER"));
        assertFalse(Files.readString(bin.resolve("r.env")).contains(secret));
        assertFalse(Files.readString(bin.resolve("r.argv")).contains(secret));
        assertEquals("600", Files.readString(bin.resolve("r.mode")).trim());
        assertEquals("*:*:*:*:Pa\\:ss\\\\w0rd@'with space", Files.readString(bin.resolve("r.pass")).trim(),
                "libpq's passfile escapes ':' and '\\'");
        assertFalse(Files.exists(Path.of(env.get("PGPASSFILE"))), "the passfile is gone once the tool ended");
    }
}
