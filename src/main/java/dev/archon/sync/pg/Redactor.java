package dev.archon.sync.pg;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from any text before it leaves the process (logs, events, history, HTTP errors), by
 * the text's structure, not by searching for the password: the password part of anything shaped like a
 * connection URI (user info up to the last '@' before a host, as {@link PgUri} reads it) and the value of
 * every {@code password=} / {@code sslpassword=} pair (quoted or not). So a password such as
 * {@code postgres} never turns {@code postgresql://} into {@code ***ql://}.
 * One extra net for text a server or driver might echo: passwords this process parsed that are long
 * and mixed enough never to occur in ordinary words are replaced wherever they appear.
 */
public final class Redactor {
    private static final Pattern SCHEME = Pattern.compile("(?i)(?:jdbc:)?postgres(?:ql)?://");
    private static final Pattern HOST_AFTER_AT = Pattern.compile("^(?:\\[[0-9A-Fa-f:.%]+\\]|[A-Za-z0-9._~%-]+)(?::[0-9]*)?");
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)((?:ssl)?password)(\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|[^&\\s\"]*)");
    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private Redactor() {
    }

    /** Remembers a parsed password for the extra net, if it cannot be mistaken for ordinary text. */
    static void remember(String secret) {
        if (isDistinctive(secret)) {
            KNOWN.add(secret);
        }
    }

    static boolean isDistinctive(String s) {
        if (s == null || s.length() < 10) {
            return false;
        }
        int classes = (s.chars().anyMatch(Character::isLowerCase) ? 1 : 0) + (s.chars().anyMatch(Character::isUpperCase) ? 1 : 0)
                + (s.chars().anyMatch(Character::isDigit) ? 1 : 0)
                + (s.chars().anyMatch(ch -> !Character.isLetterOrDigit(ch)) ? 1 : 0);
        return classes >= 3;
    }

    /** Redaction by structure only (URIs and password pairs). */
    public static String redactUris(String text) {
        if (text == null) {
            return null;
        }
        return redactPairs(redactUriUserInfo(text));
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = redactUris(text);
        for (String secret : KNOWN) {
            s = s.replace(secret, "***");
        }
        return s;
    }

    private static String redactUriUserInfo(String text) {
        StringBuilder out = new StringBuilder(text.length());
        Matcher m = SCHEME.matcher(text);
        int copied = 0;
        while (m.find(copied)) {
            int start = m.end();
            out.append(text, copied, start);
            copied = start;
            int userEnd = indexOfAny(text, ":@/?#\r\n\t ", start);
            if (userEnd >= text.length() || text.charAt(userEnd) != ':') {
                continue; // no password: no user info, or a user name alone
            }
            int lineEnd = indexOfAny(text, "\r\n", start);
            Matcher next = SCHEME.matcher(text).region(start, lineEnd);
            int limit = next.find() ? next.start() : lineEnd;
            int tokenEnd = indexOfAny(text, " \t\r\n", start);
            // the last '@' before a host within the word; if none, the password holds a space: within the line
            int at = lastHostAt(text, userEnd + 1, Math.min(tokenEnd, limit));
            if (at < 0) {
                at = lastHostAt(text, userEnd + 1, limit);
            }
            if (at >= 0) {
                out.append(text, start, userEnd + 1).append("***");
                copied = at;
            }
        }
        out.append(text, copied, text.length());
        return out.toString();
    }

    /** The last '@' in [from, to) that is followed by something shaped like host[:port]. */
    private static int lastHostAt(String text, int from, int to) {
        for (int i = text.lastIndexOf('@', to - 1); i >= from; i = text.lastIndexOf('@', i - 1)) {
            Matcher h = HOST_AFTER_AT.matcher(text.substring(i + 1, to));
            if (h.find()) {
                int after = i + 1 + h.end();
                if (after >= to || "/?,;)'\"".indexOf(text.charAt(after)) >= 0 || Character.isWhitespace(text.charAt(after))) {
                    return i;
                }
            }
            if (i == 0) {
                break;
            }
        }
        return -1;
    }

    private static int indexOfAny(String text, String chars, int from) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    private static String redactPairs(String text) {
        Matcher m = SECRET_PAIR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = m.group(3);
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2)
                    + (value.isEmpty() || value.equals("***") ? value : "***")));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
