package dev.archon.sync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: the version probe ran with the whole service environment (both URLs, the key) and its timeout
 * never fired (it read the output to the end before waiting). A fake pg_dump that records its environment
 * and then hangs, with a child of its own holding the output pipe.
 */
class ToolProbeTest {
    private static final Set<String> MINIMAL = Set.of("PATH", "HOME", "TMPDIR", "TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE",
            "LC_MESSAGES", "LC_COLLATE", "LC_NUMERIC", "LC_TIME", "LC_MONETARY");

    private static Path fakeTools(Path dir, String dumpBody) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("pg_dump", "pg_restore")) {
            Path f = bin.resolve(tool);
            Files.writeString(f, "#!/bin/sh\n" + dumpBody + "\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        }
        return bin;
    }

    @Test
    void aHangingProbeIsKilledAtItsTimeoutAndSeesNoSecret(@TempDir Path tmp) throws Exception {
        Path envFile = tmp.resolve("env.txt");
        Path pidFile = tmp.resolve("sleeper.pid");
        Path bin = fakeTools(tmp, "tr '\\0' '\\n' < /proc/$$/environ > '" + envFile + "'\nsleep 300 &\necho $! > '" + pidFile + "'\nwait");
        Optional<PgClient> found = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> PgClientTools.probe(bin, Duration.ofSeconds(1)));
        assertTrue(found.isEmpty(), "a probe that does not answer offers no client");
        long sleeper = Long.parseLong(Files.readString(pidFile).trim());
        for (int i = 0; i < 50 && ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertFalse(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false), "the probe's own child was killed too");
        Set<String> names = Files.readAllLines(envFile).stream().filter(l -> l.contains("=")).map(l -> l.substring(0, l.indexOf('=')))
                .collect(Collectors.toSet());
        Set<String> extra = names.stream().filter(n -> !MINIMAL.contains(n)).collect(Collectors.toSet());
        assertEquals(Set.of(), extra, "the probe's environment is the minimal one: " + names);
    }

    @Test
    void anAnsweringProbeIsRead(@TempDir Path tmp) throws Exception {
        Path bin = fakeTools(tmp, "echo 'pg_dump (PostgreSQL) 16.4'");
        PgClient c = PgClientTools.probe(bin, Duration.ofSeconds(10)).orElseThrow();
        assertEquals(16, c.major());
        assertEquals("16.4", c.version());
        assertEquals(bin.toRealPath(), c.binDir());
    }
}
