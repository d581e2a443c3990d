package dev.archon.sync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.archon.sync.pg.Redactor;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves as application/problem+json with a message that says what to fix. Unexpected ones
 * (500, and a database that cannot answer: 503) get a correlation id that is also on the log line, which
 * holds the exception — the response never carries a stack trace, and both are redacted.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        return Problem.response(400, "Malformed JSON", "the body is not valid JSON: " + e.getOriginalMessage());
    }

    /** The history lives in the local database; a database that does not answer is not our bug. */
    @ServerExceptionMapper
    public Response database(SQLException e) {
        String id = correlationId();
        LOG.warnf("[%s] database error: %s (SQLSTATE %s)", id, Redactor.redact(e.getMessage()), e.getSQLState());
        return Problem.of(new Problem("about:blank", "A database did not answer", 503,
                "the database query failed: " + Redactor.redact(e.getMessage()) + "; GET /q/health/ready shows which database is reachable",
                null, null, null, id));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return unexpectedProblem(e);
    }

    /** A 500 with a correlation id that is also on the log line (also for a 5xx {@link StrictJsonErrors#web} sees). */
    static Response unexpectedProblem(Throwable e) {
        String id = correlationId();
        LOG.errorf("[%s] unexpected error: %s", id, describe(e));
        return Problem.of(new Problem("about:blank", "Internal Server Error", 500,
                "an unexpected error occurred; the service log has the details under correlation id " + id,
                null, null, null, id));
    }

    private static String correlationId() {
        return UUID.randomUUID().toString();
    }

    /** The exception chain with a few frames each, every message redacted (a driver may echo a URL). */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(t == e ? "" : "\n  caused by: ").append(t.getClass().getName());
            if (t.getMessage() != null) {
                sb.append(": ").append(Redactor.redact(t.getMessage()));
            }
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(8, frames.length); i++) {
                sb.append("\n    at ").append(frames[i]);
            }
        }
        return sb.toString();
    }
}
