package dev.archon.sync.pg;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A PostgreSQL connection as the user pasted it: a libpq URI ({@code postgresql://user:password@host:port/db?sslmode=…})
 * or a key=value conninfo string ({@code host=… dbname=… password='two words'}).
 * It is the one place that knows the password: {@link #toString()} is redacted, pg tools get the
 * password through a 0600 passfile ({@link #toolEnvironment()} names it), JDBC through properties.
 * Parse errors name the problem and never repeat the input (it may hold the password).
 */
public final class PgUri {
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final String database;
    private final Map<String, String> params;
    private final String sslPassword;

    private PgUri(String user, String password, String host, int port, String database, Map<String, String> params,
            String sslPassword) {
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.database = database;
        this.params = params;
        this.sslPassword = sslPassword;
    }

    /** @throws IllegalArgumentException naming what is wrong, never quoting the text */
    public static PgUri parse(String text) {
        PgUriParser.Parsed p = PgUriParser.parse(text);
        String password = p.secrets().get("password");
        String sslPassword = p.secrets().get("sslpassword");
        Redactor.remember(password);
        Redactor.remember(sslPassword);
        String user = p.user() == null || p.user().isEmpty() ? "postgres" : p.user();
        String db = p.database() == null || p.database().isEmpty() ? user : p.database();
        return new PgUri(user, password, p.host(), p.port(), db, Map.copyOf(p.params()), sslPassword);
    }

    public String user() { return user; }
    public String host() { return host; }
    public int port() { return port; }
    public String database() { return database; }
    /** The connection parameters other than host, port, dbname, user and the secrets (password, sslpassword). */
    public Map<String, String> params() { return params; }
    public boolean hasPassword() { return password != null; }

    /** host:port/database as written (no credentials): a label for backups and messages. */
    public String endpoint() {
        return host + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ':' + port + '/'
                + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** libpq parameter → the pgjdbc property of the same meaning (gssencmode is gssEncMode there). */
    private static final Map<String, String> JDBC_NAMES = Map.of(
            "sslmode", "sslmode", "sslrootcert", "sslrootcert", "sslcert", "sslcert", "sslkey", "sslkey",
            "gssencmode", "gssEncMode", "options", "options", "connect_timeout", "connectTimeout",
            "target_session_attrs", "targetServerType", "channel_binding", "channelBinding",
            "client_encoding", "clientEncoding");

    public Properties jdbcProperties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        if (sslPassword != null) {
            p.setProperty("sslpassword", sslPassword);
        }
        p.setProperty("ApplicationName", params.getOrDefault("application_name", applicationName));
        params.forEach((k, v) -> {
            String name = JDBC_NAMES.get(k);
            if (name != null && !k.equals("target_session_attrs") && !k.equals("client_encoding")) {
                p.setProperty(name, v);
            }
        });
        if (params.containsKey("target_session_attrs")) {
            p.setProperty("targetServerType", switch (params.get("target_session_attrs")) {
                case "read-write" -> "primary";
                case "read-only" -> "secondary";
                case "prefer-standby" -> "preferSecondary";
                case "standby" -> "secondary";
                case "primary" -> "primary";
                default -> "any";
            });
        }
        // Streams of large rows: no statement-level caching of server-prepared plans across poolers.
        p.setProperty("prepareThreshold", "0");
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    /** A JDBC connection to this database (no pool: each sync holds its own sessions). */
    public java.sql.Connection connect(String applicationName) throws java.sql.SQLException {
        try {
            return java.sql.DriverManager.getConnection(jdbcUrl(), jdbcProperties(applicationName));
        } catch (java.sql.SQLException e) {
            throw ConnectFailure.explain(e, this);
        }
    }

    /**
     * A connection that gives up logging in after {@code loginTimeout} and, unless {@code readTimeout} is null,
     * waiting for any reply after {@code readTimeout} — whatever the URL says: so that neither a probe nor
     * the opening of a session waits forever on a server that does not answer.
     */
    public java.sql.Connection connect(String applicationName, java.time.Duration loginTimeout, java.time.Duration readTimeout)
            throws java.sql.SQLException {
        Properties p = jdbcProperties(applicationName);
        String login = Long.toString(Math.max(1, loginTimeout.toSeconds()));
        p.setProperty("loginTimeout", login);
        if (seconds(p.getProperty("connectTimeout"), 10) > Long.parseLong(login)) {
            p.setProperty("connectTimeout", login);
        }
        if (readTimeout != null) {
            String read = Long.toString(Math.max(1, readTimeout.toSeconds()));
            p.setProperty("socketTimeout", read);
            p.setProperty("cancelSignalTimeout", read);
        }
        try {
            return java.sql.DriverManager.getConnection(jdbcUrl(), p);
        } catch (java.sql.SQLException e) {
            throw ConnectFailure.explain(e, this);
        }
    }

    private static long seconds(String value, long otherwise) {
        try {
            return value == null ? otherwise : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** libpq parameters and the PG* variables that carry them to a tool child. */
    private static final Map<String, String> PARAM_ENV = Map.ofEntries(
            Map.entry("sslmode", "PGSSLMODE"), Map.entry("sslrootcert", "PGSSLROOTCERT"), Map.entry("sslcert", "PGSSLCERT"),
            Map.entry("sslkey", "PGSSLKEY"), Map.entry("sslcrl", "PGSSLCRL"), Map.entry("sslcrldir", "PGSSLCRLDIR"),
            Map.entry("sslsni", "PGSSLSNI"), Map.entry("sslcertmode", "PGSSLCERTMODE"),
            Map.entry("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"),
            Map.entry("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"), Map.entry("requirepeer", "PGREQUIREPEER"),
            Map.entry("connect_timeout", "PGCONNECT_TIMEOUT"), Map.entry("application_name", "PGAPPNAME"),
            Map.entry("gssencmode", "PGGSSENCMODE"), Map.entry("options", "PGOPTIONS"),
            Map.entry("target_session_attrs", "PGTARGETSESSIONATTRS"), Map.entry("channel_binding", "PGCHANNELBINDING"),
            Map.entry("client_encoding", "PGCLIENTENCODING"), Map.entry("krbsrvname", "PGKRBSRVNAME"),
            Map.entry("gsslib", "PGGSSLIB"), Map.entry("hostaddr", "PGHOSTADDR"));

    /**
     * The libpq environment of this connection (PGHOST, …, PGPASSWORD). {@link ToolProcess} moves
     * PGPASSWORD into a 0600 passfile before a child starts, so that neither the URL nor the password
     * ever appears in argv (ps) or the child's environment (/proc/pid/environ).
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
        if (!params.isEmpty() || sslPassword != null) {
            sb.append('?');
            params.forEach((k, v) -> sb.append(k).append('=').append(PgUriParser.printable(k) ? v : "***").append('&'));
            if (sslPassword != null) {
                sb.append("sslpassword=***&");
            }
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }
}
