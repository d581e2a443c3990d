package dev.archon.sync.pg;

import java.nio.file.Path;

/** One installation of the PostgreSQL client tools (pg_dump, pg_restore, psql) of one major version. */
public record PgClient(int major, String version, Path binDir) {
    public Path tool(String name) {
        return binDir.resolve(name);
    }

    @Override
    public String toString() {
        return "PostgreSQL " + version + " client (" + binDir + ")";
    }
}
