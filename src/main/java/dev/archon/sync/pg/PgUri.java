package dev.archon.sync.pg;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A libpq connection URI ({@code postgresql://user:password@host:port/db?sslmode=…}).
 * It is the one place that knows the password: {@link #toString()} is redacted, pg tools get the
 * password through their environment ({@link #toolEnvironment()}), JDBC through properties.
 */
public final class PgUri {
    private static final Pattern URI = Pattern.compile(
            "^(?:postgresql|postgres)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?([^:/?#]*|\\[[^\\]]+\\])(?::(\\d+))?(?:/([^?#]*))?(?:\\?([^#]*))?$");
    /** libpq parameters we pass on to JDBC (same meaning there) and to tools (as PG* variables). */
    private static final Map<String, String> PARAM_ENV = Map.of(
            "sslmode", "PGSSLMODE", "sslrootcert", "PGSSLROOTCERT", "sslcert", "PGSSLCERT",
            "sslkey", "PGSSLKEY", "connect_timeout", "PGCONNECT_TIMEOUT", "application_name", "PGAPPNAME",
            "gssencmode", "PGGSSENCMODE", "options", "PGOPTIONS", "target_session_attrs", "PGTARGETSESSIONATTRS");

    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final String database;
    private final Map<String, String> params;

    private PgUri(String user, String password, String host, int port, String database, Map<String, String> params) {
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.database = database;
        this.params = params;
    }

    public static PgUri parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("connection URL is empty");
        }
        Matcher m = URI.matcher(uri.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a libpq URI (expected postgresql://user:password@host:port/db): "
                    + Redactor.redactUris(uri));
        }
        String user = m.group(1) == null || m.group(1).isEmpty() ? "postgres" : decode(m.group(1));
        String password = m.group(2) == null ? null : decode(m.group(2));
        String host = m.group(3) == null || m.group(3).isEmpty() ? "localhost" : m.group(3);
        int port = m.group(4) == null ? 5432 : Integer.parseInt(m.group(4));
        String db = m.group(5) == null || m.group(5).isEmpty() ? user : decode(m.group(5));
        Map<String, String> params = new LinkedHashMap<>();
        if (m.group(6) != null && !m.group(6).isEmpty()) {
            for (String kv : m.group(6).split("&")) {
                int eq = kv.indexOf('=');
                String k = decode(eq < 0 ? kv : kv.substring(0, eq));
                String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
                if (k.equals("password")) {
                    password = v;
                } else if (k.equals("user")) {
                    user = v;
                } else {
                    params.put(k, v);
                }
            }
        }
        if (password != null) {
            Redactor.remember(password);
        }
        return new PgUri(user, password, host, port, db, params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public String user() { return user; }
    public String host() { return host; }
    public int port() { return port; }
    public String database() { return database; }
    public Map<String, String> params() { return params; }
    public boolean hasPassword() { return password != null; }

    /** Same server and database (used to refuse a sync of a database onto itself). */
    public String endpoint() {
        return host + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
        StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/')
                .append(java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20"));
        return sb.toString();
    }

    public Properties jdbcProperties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", params.getOrDefault("application_name", applicationName));
        for (String k : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey", "gssencmode", "options"}) {
            if (params.containsKey(k)) {
                p.setProperty(k, params.get(k));
            }
        }
        if (params.containsKey("connect_timeout")) {
            p.setProperty("connectTimeout", params.get("connect_timeout"));
        }
        // Streams of large rows: no statement-level caching of server-prepared plans across poolers.
        p.setProperty("prepareThreshold", "0");
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    /** A JDBC connection to this database (no pool: each sync holds its own sessions). */
    public java.sql.Connection connect(String applicationName) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl(), jdbcProperties(applicationName));
    }

    /**
     * Environment for a pg tool child process: everything it needs to connect, so that neither the URL
     * nor the password ever appears in argv (visible to every user in ps).
     */
    public Map<String, String> toolEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGDATABASE", database);
        env.put("PGUSER", user);
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        params.forEach((k, v) -> {
            String name = PARAM_ENV.get(k);
            if (name != null) {
                env.put(name, v);
            }
        });
        return env;
    }

    /** The URI with the password replaced: safe for logs, events, history and error messages. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("postgresql://").append(user);
        if (password != null) {
            sb.append(":***");
        }
        sb.append('@').append(host).append(':').append(port).append('/').append(database);
        if (!params.isEmpty()) {
            sb.append('?');
            params.forEach((k, v) -> sb.append(k).append('=').append(k.contains("key") ? "***" : v).append('&'));
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }
}
