package dev.archon.sync.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** Failure messages in the user's words: the driver's low-level causes translated, never a Java class name. */
class FailureMessageTest {
    private static final Pattern JAVA_NAMES = Pattern.compile("[a-z]+\\.[a-z]+\\.[A-Za-z.]*(Exception|Error)|[A-Z][A-Za-z]+Exception");

    @Test
    void aBackendThatClosedTheConnectionIsSaidInWords() {
        Throwable lost = new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
                new EOFException());
        assertEquals("the source server closed the connection; An I/O error occurred while sending to the backend. (SQLSTATE 08006)",
                FailureMessage.of(lost, "source"));
        assertEquals("the server closed the connection; An I/O error occurred while sending to the backend. (SQLSTATE 08006)",
                FailureMessage.of(lost));
    }

    @Test
    void theServersMessageAndSqlStateAreKept() {
        SQLException fatal = new SQLException("FATAL: terminating connection due to administrator command", "57P01");
        assertEquals("the connection to the target server was lost; FATAL: terminating connection due to administrator command"
                + " (SQLSTATE 57P01)", FailureMessage.of(fatal, "target"));
        assertEquals("FATAL: terminating connection due to administrator command (SQLSTATE 57P01)", FailureMessage.of(fatal));
    }

    @Test
    void noJavaClassNameSurvives() {
        List<Throwable> failures = List.of(
                new IOException(new IllegalStateException("the archive ended early")),
                new RuntimeException(new NullPointerException()),
                new SQLException("An I/O error occurred while sending to the backend.", "08006", new SocketException("Connection reset")),
                new IOException("java.net.SocketTimeoutException: Read timed out"),
                new IllegalArgumentException());
        for (Throwable t : failures) {
            String said = FailureMessage.of(t, "target");
            assertFalse(JAVA_NAMES.matcher(said).find(), said);
            assertFalse(said.isBlank(), t.toString());
        }
        assertEquals("the archive ended early", FailureMessage.of(failures.get(0)));
        assertEquals("the connection to the target server was reset; An I/O error occurred while sending to the backend. (SQLSTATE 08006)",
                FailureMessage.of(failures.get(2), "target"));
    }
}
