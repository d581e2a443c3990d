package dev.archon.sync.pg;

import java.sql.SQLException;

/**
 * The reason a connection could not be opened, in a user's words: the driver's own text is kept where
 * it is plain ("password authentication failed", "Connection … refused"), and replaced where it is a
 * bare "The connection attempt failed." or a Java security exception (an unknown host, a certificate the
 * given CA did not sign). Never the password: the URL is printed redacted.
 */
final class ConnectFailure {
    private ConnectFailure() {
    }

    static SQLException explain(SQLException e, PgUri uri) {
        String plain = null;
        for (Throwable t = e; t != null && plain == null; t = t.getCause()) {
            String name = t.getClass().getName();
            String msg = String.valueOf(t.getMessage());
            if (t instanceof java.net.UnknownHostException) {
                plain = "the host name '" + uri.host() + "' does not resolve (check the host in the URL, and DNS)";
            } else if (t instanceof java.net.SocketTimeoutException) {
                plain = "no answer from " + uri.host() + ":" + uri.port() + " in time (a firewall, or the wrong port?)";
            } else if (name.startsWith("javax.net.ssl.") || name.startsWith("java.security.cert.") || msg.contains("PKIX")
                    || name.startsWith("sun.security.")) {
                plain = msg.contains("PKIX") || name.contains("CertPath") || name.contains("Certificate")
                        ? "the server's TLS certificate is not signed by the CA in sslrootcert"
                        : msg.contains("hostname") || msg.contains("host name")
                        ? "the server's TLS certificate does not name the host " + uri.host()
                        : "the TLS handshake with the server failed";
            } else if (msg.contains("does not match") && msg.contains("host")) {
                plain = "the server's TLS certificate does not name the host " + uri.host();
            }
        }
        if (plain == null) {
            return e;
        }
        SQLException out = new SQLException(plain, e.getSQLState());
        out.initCause(e);
        return out;
    }
}
