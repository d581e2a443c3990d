package dev.archon.sync.engine.load;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.plan.SyncPlan.CopyFormat;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.pg.Sql;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

/**
 * Streams one table from the source snapshot into the target transaction: {@code COPY … TO STDOUT}
 * on one side, {@code COPY … FROM STDIN} on the other, the same format on both. Bytes are moved, rows
 * are never parsed in Java; each CopyData message is one row, so rows are counted as they pass.
 *
 * Reading and writing overlap: a reader thread drains the source into a small bounded queue while
 * this thread feeds the target (measured: one thread doing both took 1.26× the target's own load
 * time, the source's read time on top). Each thread only ever touches its own connection.
 */
public final class TableCopier {
    /** In binary COPY the trailer (int16 -1) travels as a message of its own. */
    private static final int BINARY_TRAILER_LENGTH = 2;
    private static final long REPORT_EVERY_NANOS = 200_000_000L;
    /** About 4 MB of Archon rows in flight: enough to keep both servers busy, small enough to keep RSS flat. */
    private static final int QUEUE_MESSAGES = 512;
    private static final byte[] END = new byte[0];

    public interface Progress {
        void moved(long rowsDelta, long bytesDelta, long rowsSoFar);
    }

    public record Result(long rows, long bytes) {
    }

    private TableCopier() {
    }

    /** A whole table. */
    public static Result copy(SyncContext ctx, TablePlan table, Progress progress) throws SQLException {
        String columns = Sql.identList(table.columns());
        String format = table.format() == CopyFormat.BINARY ? " (FORMAT binary)" : "";
        return copy(ctx, table.table().toString(), "COPY " + table.table().sql() + " (" + columns + ") TO STDOUT" + format,
                "COPY " + table.table().sql() + " (" + columns + ") FROM STDIN" + format, !format.isEmpty(), progress);
    }

    /** Any COPY … TO STDOUT on the source into a COPY … FROM STDIN on the target, in the same format (a row delta's rows). */
    public static Result copy(SyncContext ctx, String table, String copyOut, String copyIn, boolean binary, Progress progress)
            throws SQLException {
        String format = binary ? "binary" : "";
        CopyOut out = ctx.sourceConnection.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOut);
        SourceReader reader = new SourceReader(out, table);
        reader.start();
        CopyIn in = null;
        try {
            in = ctx.targetConnection.unwrap(PGConnection.class).getCopyAPI().copyIn(copyIn);
            long rows = 0;
            long bytes = 0;
            long reportedRows = 0;
            long reportedBytes = 0;
            long lastReport = System.nanoTime();
            while (true) {
                byte[] message = reader.queue.poll(100, TimeUnit.MILLISECONDS);
                if (message == END) {
                    break;
                }
                if (message != null) {
                    in.writeToCopy(message, 0, message.length);
                    bytes += message.length;
                    if (format.isEmpty() || message.length != BINARY_TRAILER_LENGTH) {
                        rows++;
                    }
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
            reader.rethrow();
            long loaded = in.endCopy();
            progress.moved(loaded - reportedRows, bytes - reportedBytes, loaded);
            return new Result(loaded, bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelQuietly(in);
            throw new SQLException("interrupted while copying " + table, e);
        } catch (SQLException | RuntimeException e) {
            cancelQuietly(in);
            throw e;
        } finally {
            reader.finish();
        }
    }

    private static void cancelQuietly(CopyIn in) {
        try {
            if (in != null && in.isActive()) {
                in.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the target transaction is rolled back anyway
        }
    }

    /** Reads the source's COPY into the queue; on its own thread, touching only the source connection. */
    private static final class SourceReader extends Thread {
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_MESSAGES);
        private final CopyOut out;
        private volatile boolean stopped;
        private volatile Throwable failure;

        SourceReader(CopyOut out, String table) {
            super("copy-reader " + table);
            this.out = out;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                byte[] message;
                while (!stopped && (message = out.readFromCopy()) != null) {
                    while (!queue.offer(message, 100, TimeUnit.MILLISECONDS)) {
                        if (stopped) {
                            break;
                        }
                    }
                }
                if (stopped && out.isActive()) {
                    out.cancelCopy(); // the writer gave up: end the source's COPY so its connection is usable
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                offerEnd();
            }
        }

        private void offerEnd() {
            try {
                while (!stopped && !queue.offer(END, 100, TimeUnit.MILLISECONDS)) {
                    // the writer is still draining
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void rethrow() throws SQLException {
            Throwable t = failure;
            if (t instanceof SQLException s) {
                throw s;
            }
            if (t != null) {
                throw new SQLException("reading the source failed: " + t.getMessage(), t);
            }
        }

        /** Ends the reader (drains the queue so it is never stuck on a full one) and waits for it. */
        void finish() {
            stopped = true;
            queue.clear();
            try {
                join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
