package dev.archon.sync.pg;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Removes secrets from any text before it leaves the process (logs, events, history, HTTP errors).
 * Two nets: the password part of anything that looks like a connection URI, and every password this
 * process has parsed (a server or driver may echo one back in an error message).
 */
public final class Redactor {
    private static final Pattern URI_PASSWORD = Pattern.compile("((?:postgresql|postgres|jdbc:postgresql)://[^:/@\\s]*:)[^@\\s]*@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&\\s]*");
    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private Redactor() {
    }

    static void remember(String secret) {
        if (secret != null && secret.length() >= 3) {
            KNOWN.add(secret);
        }
    }

    public static void rememberSecret(String secret) {
        remember(secret);
    }

    public static String redactUris(String text) {
        if (text == null) {
            return null;
        }
        String s = URI_PASSWORD.matcher(text).replaceAll("$1***@");
        return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
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
}
