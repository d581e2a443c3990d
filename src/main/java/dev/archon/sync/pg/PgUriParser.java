package dev.archon.sync.pg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the two forms libpq accepts, as users paste them: a URI whose password may be left
 * unencoded ({@code postgresql://postgres:p@ss:w/rd%@host/db} — the last '@' before a valid host ends
 * the user info, a '%' that is not an escape stays a '%') and a key=value conninfo string with
 * quoted values ({@code password='two words'}). Every error names the problem and the parameter,
 * never a value: the text may hold the password.
 */
final class PgUriParser {
    record Parsed(String user, String host, int port, String database, Map<String, String> params,
            Map<String, String> secrets) {
    }

    /** libpq parameters passed on as they are (their values are not secret). */
    private static final Set<String> PASSED_ON = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl",
            "sslcrldir", "sslsni", "sslcertmode", "ssl_min_protocol_version", "ssl_max_protocol_version", "requirepeer",
            "connect_timeout", "application_name", "fallback_application_name", "gssencmode", "options",
            "target_session_attrs", "channel_binding", "client_encoding", "krbsrvname", "gsslib", "hostaddr", "keepalives",
            "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "load_balance_hosts",
            "sslcompression", "requiressl", "gssdelegation");
    private static final Set<String> SECRETS = Set.of("password", "sslpassword");
    private static final Set<String> UNSUPPORTED = Set.of("service", "passfile", "replication");
    private static final Pattern WORD = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._~%-]+|\\[[0-9A-Fa-f:.%]+\\]");

    private PgUriParser() {
    }

    static Parsed parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the connection URL is empty");
        }
        String t = text.strip();
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("postgresql://")) {
            return uri(t.substring("postgresql://".length()));
        }
        if (lower.startsWith("postgres://")) {
            return uri(t.substring("postgres://".length()));
        }
        if (lower.startsWith("jdbc:")) {
            throw new IllegalArgumentException("a JDBC URL is not accepted here: give the libpq form "
                    + "postgresql://user:password@host:port/database");
        }
        if (t.contains("=")) {
            return conninfo(t);
        }
        throw new IllegalArgumentException("not a connection URL: expected postgresql://user:password@host:port/database "
                + "or key=value pairs (host=… port=… dbname=… user=… password=…)");
    }

    /** True for parameters whose value may be printed. */
    static boolean printable(String key) {
        return !key.contains("password");
    }

    // ------------------------------------------------------------------ URI

    private static Parsed uri(String rest) {
        List<Integer> ats = new ArrayList<>();
        for (int i = rest.indexOf('@'); i >= 0; i = rest.indexOf('@', i + 1)) {
            ats.add(i);
        }
        List<Parsed> valid = new ArrayList<>();
        IllegalArgumentException firstError = null;
        // the last '@' first: a password may hold '@', a host never does
        for (int k = ats.size() - 1; k >= -1; k--) {
            int at = k < 0 ? -1 : ats.get(k);
            try {
                valid.add(afterUserInfo(at < 0 ? null : rest.substring(0, at), rest.substring(at + 1)));
            } catch (IllegalArgumentException e) {
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (valid.isEmpty()) {
            throw firstError;
        }
        if (valid.size() > 1) {
            throw new IllegalArgumentException("the connection URL can be read in more than one way (an '@' in the password "
                    + "or in a parameter): write that '@' as %40");
        }
        return valid.get(0);
    }

    private static Parsed afterUserInfo(String userInfo, String rest) {
        String user = null;
        Map<String, String> secrets = new LinkedHashMap<>();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
            if (rawUser.matches(".*[/?#\\s].*")) {
                throw new IllegalArgumentException("the user name in the connection URL contains '/', '?', '#' or a space");
            }
            user = decode(rawUser);
            if (colon >= 0) {
                secrets.put("password", decode(userInfo.substring(colon + 1)));
            }
        }
        int end = firstOf(rest, "/?");
        String hostPort = rest.substring(0, end);
        if (hostPort.contains(",")) {
            throw new IllegalArgumentException("the connection URL names several hosts; give exactly one");
        }
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the IPv6 host in the connection URL lacks its ']'");
            }
            host = hostPort.substring(0, close + 1);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("unexpected text after the IPv6 host in the connection URL");
                }
                port = after.substring(1);
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (!host.isEmpty() && !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("the host in the connection URL is not a valid host name or address");
        }
        String database = null;
        Map<String, String> params = new LinkedHashMap<>();
        String hostParam = null;
        if (end < rest.length() && rest.charAt(end) == '/') {
            int q = rest.indexOf('?', end);
            String rawDb = rest.substring(end + 1, q < 0 ? rest.length() : q);
            if (rawDb.contains("@") || rawDb.contains("/")) {
                throw new IllegalArgumentException("the database name in the connection URL contains '@' or '/' (write them as %40, %2F)");
            }
            database = decode(rawDb);
            end = q < 0 ? rest.length() : q;
        }
        if (end < rest.length()) { // '?'
            String query = rest.substring(end + 1);
            int n = 0;
            for (String kv : query.split("&", -1)) {
                n++;
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("query parameter #" + n + " of the connection URL is not key=value");
                }
                String key = decode(kv.substring(0, eq));
                String value = decode(kv.substring(eq + 1));
                String override = assign(key, value, "query parameter #" + n + " of the connection URL", params, secrets);
                if (override != null) {
                    switch (key) {
                        case "user" -> user = value;
                        case "dbname" -> database = value;
                        case "port" -> port = value;
                        case "host" -> hostParam = value;
                        default -> { }
                    }
                }
            }
        }
        if (hostParam != null) {
            host = hostParam;
        }
        return new Parsed(user, host.isEmpty() ? "localhost" : host, port(port), database, params, secrets);
    }

    // ------------------------------------------------------------------ conninfo

    private static Parsed conninfo(String text) {
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> secrets = new LinkedHashMap<>();
        Map<String, String> core = new LinkedHashMap<>();
        int i = 0;
        int n = 0;
        int len = text.length();
        while (true) {
            while (i < len && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= len) {
                break;
            }
            n++;
            int keyStart = i;
            while (i < len && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            String label = WORD.matcher(key).matches() ? "'" + key + "'" : "#" + n;
            while (i < len && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= len || text.charAt(i) != '=') {
                throw new IllegalArgumentException("connection parameter " + label + " lacks '=' and a value");
            }
            i++;
            while (i < len && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < len && text.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < len) {
                    char ch = text.charAt(i++);
                    if (ch == '\\' && i < len) {
                        value.append(text.charAt(i++));
                    } else if (ch == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(ch);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("the quoted value of connection parameter " + label + " is not closed with '");
                }
            } else {
                while (i < len && !Character.isWhitespace(text.charAt(i))) {
                    char ch = text.charAt(i++);
                    if (ch == '\\' && i < len) {
                        value.append(text.charAt(i++));
                    } else {
                        value.append(ch);
                    }
                }
            }
            String override = assign(key, value.toString(), "connection parameter " + label, params, secrets);
            if (override != null) {
                core.put(key, value.toString());
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("the connection string is empty");
        }
        String host = core.getOrDefault("host", "");
        if (host.contains(",")) {
            throw new IllegalArgumentException("the connection string names several hosts; give exactly one");
        }
        if (host.contains(":") && !host.startsWith("[") && !host.startsWith("/")) {
            host = "[" + host + "]";
        }
        return new Parsed(core.get("user"), host.isEmpty() ? "localhost" : host, port(core.get("port")), core.get("dbname"),
                params, secrets);
    }

    /**
     * Files one key=value where it belongs.
     *
     * @return the key when it is one of host, port, dbname, user (the caller keeps those), else null
     */
    private static String assign(String key, String value, String where, Map<String, String> params, Map<String, String> secrets) {
        if (!WORD.matcher(key).matches()) {
            throw new IllegalArgumentException(where + " has a name that is not a libpq parameter name");
        }
        if (SECRETS.contains(key)) {
            secrets.put(key, value);
            return null;
        }
        if (Set.of("host", "port", "dbname", "user").contains(key)) {
            return key;
        }
        if (UNSUPPORTED.contains(key)) {
            throw new IllegalArgumentException("connection parameter '" + key + "' is not supported here: put the values "
                    + "it stands for into the URL");
        }
        if (!PASSED_ON.contains(key)) {
            throw new IllegalArgumentException("unknown connection parameter '" + key + "' (" + where + ")");
        }
        params.put(key, value);
        return null;
    }

    private static int port(String text) {
        if (text == null || text.isEmpty()) {
            return 5432;
        }
        if (!text.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("the port in the connection URL is not a number");
        }
        int p = Integer.parseInt(text);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("the port in the connection URL is out of range (1-65535)");
        }
        return p;
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    /** Percent-decoding as users expect: %XX is a byte, any other '%' is itself; '+' stays '+'. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
                out.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }
}
