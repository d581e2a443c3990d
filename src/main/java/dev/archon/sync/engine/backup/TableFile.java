package dev.archon.sync.engine.backup;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

/**
 * One table's rows in a file, in PostgreSQL's own COPY format (binary where every column's type has binary
 * send/receive functions: a vector(1536) is 6 kB there and about 16 kB as text, and the server skips the
 * float-to-text conversion). Written by {@code COPY … TO STDOUT} and loaded by {@code COPY … FROM STDIN} on the
 * caller's session, byte for byte: psql's {@code \copy … FROM 'file' WITH (FORMAT binary)} reads it too.
 */
final class TableFile {
    private static final long REPORT_EVERY_NANOS = 200_000_000L;
    private static final int CHUNK = 1 << 20;

    /** Told every 200 ms how far a table has come. */
    interface Progress {
        void moved(long rows, long bytes) throws SQLException;
    }

    record Written(long rows, long bytes) {
    }

    private TableFile() {
    }

    static String copyStatement(TableName table, List<String> columns, boolean binary, String direction) {
        return "COPY " + table.sql() + " (" + Sql.identList(columns) + ") " + direction + (binary ? " (FORMAT binary)" : "");
    }

    /**
     * Writes the table as the session's transaction sees it into a new private file, synced to disk before
     * it returns (the target is changed only after the backup is safe).
     */
    static Written write(Connection session, TableName table, List<String> columns, boolean binary, Path file, Progress progress)
            throws SQLException, IOException {
        BackupStore.createPrivateFile(file);
        CopyOut out = session.unwrap(PGConnection.class).getCopyAPI().copyOut(copyStatement(table, columns, binary, "TO STDOUT"));
        long messages = 0;
        long bytes = 0;
        try (FileOutputStream fos = new FileOutputStream(file.toFile());
                OutputStream sink = new BufferedOutputStream(fos, CHUNK)) {
            long lastReport = System.nanoTime();
            byte[] message;
            while ((message = out.readFromCopy()) != null) {
                sink.write(message);
                messages++;
                bytes += message.length;
                if (System.nanoTime() - lastReport >= REPORT_EVERY_NANOS) {
                    progress.moved(messages, bytes);
                    lastReport = System.nanoTime();
                }
            }
            sink.flush();
            fos.getChannel().force(true);
        } finally {
            if (out.isActive()) {
                try {
                    out.cancelCopy();
                } catch (SQLException ignored) {
                    // the failure that got us here is the one to report
                }
            }
        }
        // one CopyData message per row; binary COPY ends with a trailer message (with the header when empty)
        long rows = binary ? Math.max(0, messages - 1) : messages;
        progress.moved(rows, bytes);
        return new Written(rows, bytes);
    }

    /** Loads a file {@link #write} wrote into the session's transaction; the number of rows the server loaded. */
    static long load(Connection session, TableName table, List<String> columns, boolean binary, Path file, Progress progress)
            throws SQLException, IOException {
        CopyIn in = session.unwrap(PGConnection.class).getCopyAPI().copyIn(copyStatement(table, columns, binary, "FROM STDIN"));
        try (InputStream src = Files.newInputStream(file)) {
            byte[] buf = new byte[CHUNK];
            long bytes = 0;
            long lastReport = System.nanoTime();
            int n;
            while ((n = src.read(buf)) > 0) {
                in.writeToCopy(buf, 0, n);
                bytes += n;
                if (System.nanoTime() - lastReport >= REPORT_EVERY_NANOS) {
                    progress.moved(-1, bytes);
                    lastReport = System.nanoTime();
                }
            }
            long rows = in.endCopy();
            progress.moved(rows, bytes);
            return rows;
        } finally {
            if (in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException ignored) {
                    // the transaction is rolled back anyway
                }
            }
        }
    }
}
