package dev.archon.sync.engine;

import dev.archon.sync.pg.Redactor;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A failure in the user's words: what happened to the connection ("the source server closed the
 * connection") first, then what the driver and the server said, with the server's SQLSTATE — never a Java
 * class name, never a secret. The driver's low-level causes (an end of stream, a reset socket) carry no
 * words of their own, so they are translated; every other cause keeps its message.
 */
final class FailureMessage {
    private static final int LONGEST = 2000;
    /** A Java class name that made it into a message anyway (e.g. an exception wrapping another keeps its toString). */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*|\\b[A-Z][A-Za-z0-9]*Exception\\b:?\\s*");

    private FailureMessage() {
    }

    static String of(Throwable t) {
        return of(t, null);
    }

    /** @param side "source" or "target" when it is known that the sync lost its session there, else null */
    static String of(Throwable failure, String side) {
        String server = side == null ? "the server" : "the " + side + " server";
        List<String> connection = new ArrayList<>();
        List<String> said = new ArrayList<>();
        int length = 0;
        for (Throwable cur = failure; cur != null && length < LONGEST; cur = cur.getCause() == cur ? null : cur.getCause()) {
            String words = connectionWords(cur, server);
            List<String> into = connection;
            if (words == null) {
                words = ownWords(cur);
                into = said;
            }
            if (words != null && !words.isBlank() && !contains(connection, words) && !contains(said, words)) {
                into.add(words);
                length += words.length();
            }
        }
        if (connection.isEmpty() && side != null) { // the server ended the session, or it broke without a network error
            connection.add("the connection to " + server + " was lost");
        }
        List<String> all = new ArrayList<>(connection);
        all.addAll(said);
        String text = all.isEmpty() ? "an unexpected error inside the service (the service log has the details)" : String.join("; ", all);
        return Redactor.redact(CLASS_NAME.matcher(text).replaceAll("").trim());
    }

    /** What a network-level cause means for the user; null when it is not one. */
    private static String connectionWords(Throwable t, String server) {
        String msg = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof EOFException) {
            return server + " closed the connection";
        }
        if (t instanceof SocketTimeoutException) {
            return server + " did not answer in time";
        }
        if (t instanceof UnknownHostException) {
            return "the host name " + msg + " does not resolve";
        }
        if (t instanceof ConnectException) {
            return server + " refused the connection" + (msg.isEmpty() ? "" : " (" + msg + ")");
        }
        if (t instanceof SocketException) {
            String lower = msg.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("reset")) {
                return "the connection to " + server + " was reset";
            }
            if (lower.contains("broken pipe")) {
                return "the connection to " + server + " broke";
            }
            if (lower.contains("closed")) {
                return "the connection to " + server + " was closed";
            }
            return "the connection to " + server + " failed" + (msg.isEmpty() ? "" : ": " + msg);
        }
        return null;
    }

    /** The cause's own message (with the server's SQLSTATE), or null when it has none worth repeating. */
    private static String ownWords(Throwable t) {
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return null;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null && !msg.contains(sql.getSQLState())) {
            return msg.trim() + " (SQLSTATE " + sql.getSQLState() + ")";
        }
        return msg.trim();
    }

    /** A wrapper often repeats its cause's message: say it once. */
    private static boolean contains(List<String> parts, String words) {
        String bare = words.replaceAll(" \\(SQLSTATE [0-9A-Z]{5}\\)$", "");
        return parts.stream().anyMatch(p -> p.contains(bare));
    }
}
