package dev.archon.sync.engine;

import dev.archon.sync.pg.CatalogModel.Index;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.postgresql.PGConnection;

/**
 * Everything one sync holds while it runs: the source snapshot connection, the one target
 * transaction, the plan, the indexes taken down for the load and the sync's work directory.
 * Closing it without a COMMIT rolls the target back.
 */
public final class SyncContext implements AutoCloseable {
    final SyncJob job;
    final SyncSettings settings;
    final PgUri source;
    final PgUri target;
    Connection sourceConnection;
    Connection targetConnection;
    SyncPlan plan;
    final List<Index> indexesToRebuild = new ArrayList<>();
    /** Issue 12: the source's definitions a "schema": true sync brings along (empty otherwise). */
    List<SchemaDrift.Change> schemaChanges = List.of();
    boolean committed;
    private Path workDir;

    SyncContext(SyncJob job, SyncSettings settings) {
        this.job = job;
        this.settings = settings;
        this.source = job.request().isRestore() ? null : settings.source(job.request().direction());
        this.target = settings.target(job.request().direction());
    }

    CancelSignal cancel() {
        return job.cancelSignal();
    }

    /** Opens a connection whose running statement a cancel interrupts. */
    Connection connect(PgUri uri, String role) throws SQLException {
        try {
            Connection c = uri.connect("archon-db-sync " + role + " " + job.id());
            PGConnection pg = c.unwrap(PGConnection.class);
            cancel().onInterrupt(() -> {
                try {
                    pg.cancelQuery();
                } catch (SQLException ignored) {
                    // the connection is gone already: nothing left to interrupt
                }
            });
            return c;
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the " + role + " database " + uri + ": "
                    + Redactor.redact(e.getMessage()), e.getSQLState(), e);
        }
    }

    synchronized Path workDir() throws IOException {
        if (workDir == null) {
            workDir = Files.createDirectories(settings.workDir().resolve("sync-" + job.id()));
        }
        return workDir;
    }

    @Override
    public void close() {
        if (targetConnection != null) {
            try {
                if (!committed && !targetConnection.getAutoCommit()) {
                    targetConnection.rollback();
                }
            } catch (SQLException ignored) {
                // a dead connection has rolled back on the server already
            }
        }
        closeQuietly(sourceConnection);
        closeQuietly(targetConnection);
        deleteWorkDir();
    }

    private void deleteWorkDir() {
        Path dir;
        synchronized (this) {
            dir = workDir;
        }
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // stale work dirs are removed at the next start-up
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing is best effort
            }
        }
    }
}
