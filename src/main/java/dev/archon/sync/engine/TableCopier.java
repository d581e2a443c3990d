package dev.archon.sync.engine;

import dev.archon.sync.engine.SyncPlan.CopyFormat;
import dev.archon.sync.engine.SyncPlan.TablePlan;
import dev.archon.sync.pg.Sql;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

/**
 * Streams one table from the source snapshot into the target transaction: {@code COPY … TO STDOUT}
 * on one side, {@code COPY … FROM STDIN} on the other, the same format on both. Bytes are moved, rows
 * are never parsed in Java; each CopyData message is one row, so rows are counted as they pass.
 */
final class TableCopier {
    /** In binary COPY the trailer (int16 -1) travels as a message of its own. */
    private static final int BINARY_TRAILER_LENGTH = 2;
    private static final long REPORT_EVERY_NANOS = 200_000_000L;

    interface Progress {
        void moved(long rowsDelta, long bytesDelta, long rowsSoFar);
    }

    record Result(long rows, long bytes) {
    }

    private TableCopier() {
    }

    static Result copy(SyncContext ctx, TablePlan table, Progress progress) throws SQLException {
        String columns = Sql.identList(table.columns());
        String format = table.format() == CopyFormat.BINARY ? " (FORMAT binary)" : "";
        CopyOut out = ctx.sourceConnection.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("COPY " + table.table().sql() + " (" + columns + ") TO STDOUT" + format);
        CopyIn in = null;
        long rows = 0;
        long bytes = 0;
        long reportedRows = 0;
        long reportedBytes = 0;
        long lastReport = System.nanoTime();
        try {
            in = ctx.targetConnection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + table.table().sql() + " (" + columns + ") FROM STDIN" + format);
            byte[] message;
            while ((message = out.readFromCopy()) != null) {
                in.writeToCopy(message, 0, message.length);
                bytes += message.length;
                if (format.isEmpty() || message.length != BINARY_TRAILER_LENGTH) {
                    rows++;
                }
                long now = System.nanoTime();
                if (now - lastReport >= REPORT_EVERY_NANOS) {
                    ctx.cancel().throwIfCancelled();
                    progress.moved(rows - reportedRows, bytes - reportedBytes, rows);
                    reportedRows = rows;
                    reportedBytes = bytes;
                    lastReport = now;
                }
            }
            long loaded = in.endCopy();
            progress.moved(loaded - reportedRows, bytes - reportedBytes, loaded);
            return new Result(loaded, bytes);
        } catch (SQLException | RuntimeException e) {
            cancelQuietly(out, in);
            throw e;
        }
    }

    private static void cancelQuietly(CopyOut out, CopyIn in) {
        try {
            if (out.isActive()) {
                out.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the source transaction is abandoned anyway
        }
        try {
            if (in != null && in.isActive()) {
                in.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the target transaction is rolled back anyway
        }
    }
}
