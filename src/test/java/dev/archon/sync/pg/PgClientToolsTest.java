package dev.archon.sync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PgClientToolsTest {
    private static PgClient client(int major) {
        return new PgClient(major, major + ".1", Path.of("/usr/lib/postgresql/" + major + "/bin"));
    }

    private final PgClientTools both = new PgClientTools(List.of(client(17), client(15)));

    @Test
    void dumpsWithTheClosestClientNotOlderThanTheServer() {
        assertEquals(15, both.forDump(15).orElseThrow().major(), "a 17 pg_dump would write settings 15 rejects");
        assertEquals(17, both.forDump(17).orElseThrow().major());
        assertEquals(15, both.forDump(14).orElseThrow().major());
        assertTrue(both.forDump(18).isEmpty(), "pg_dump refuses a newer server");
    }

    @Test
    void restoresWithAClientThatCanReadTheArchive() {
        assertEquals(17, both.forRestore(17, 15).orElseThrow().major(), "pg_restore 15 cannot read a 17 archive");
        assertEquals(15, both.forRestore(15, 15).orElseThrow().major());
        assertEquals(17, both.forRestore(15, 17).orElseThrow().major());
        assertEquals(Optional.empty(), new PgClientTools(List.of(client(15))).forRestore(17, 15));
    }

    @Test
    void readsVersionsAsTheToolsPrintThem() {
        assertEquals("15.20", PgClientTools.parseVersion("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)").orElseThrow());
        assertEquals("17.11", PgClientTools.parseVersion("pg_dump (PostgreSQL) 17.11").orElseThrow());
        assertFalse(PgClientTools.parseVersion("command not found").isPresent());
    }

    @Test
    void findsTheInstalledClients() {
        PgClientTools found = PgClientTools.discover("auto");
        assertTrue(found.forDump(15).isPresent(), found.describe());
    }
}
