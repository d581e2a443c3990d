package dev.archon.sync.api;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 400s for request bodies that {@link StrictJson} refuses, each naming the field and the reason, as
 * problem+json; the one mapper of {@code WebApplicationException} (other 4xx keep their status and message,
 * 5xx go to {@link ErrorMappers}). Runs before the general mappers (higher priority) so a trailing token or a coerced
 * scalar is not reported as a generic "wrong type". Never quotes the body's values (they may be secrets).
 */
public class StrictJsonErrors {

    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response mismatched(MismatchedInputException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String name = u.getPropertyName() == null || u.getPropertyName().length() > 64
                    ? "(a long name)" : "'" + u.getPropertyName() + "'";
            return Problem.response(400, "Unknown field", "unknown field " + name + "; known fields: " + u.getKnownPropertyIds());
        }
        String field = field(e.getPath());
        String msg = String.valueOf(e.getOriginalMessage());
        if (msg.startsWith("Trailing token")) {
            return Problem.response(400, "Malformed JSON", "the body must be exactly one JSON object; something follows it");
        }
        if (msg.startsWith("No content to map") || msg.contains("end-of-input")) {
            return Problem.response(400, "Malformed JSON", "the body is empty or ends too early: send one JSON object, "
                    + "e.g. {\"direction\": \"local-to-remote\"}");
        }
        String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
        String got = e instanceof InvalidFormatException f && f.getValue() != null ? " (got " + jsonKind(f.getValue()) + ")" : "";
        return Problem.response(400, "Invalid field", (field == null ? "the body" : "field '" + field + "'") + " must be "
                + expected + got + (expected.equals("true or false") ? ", written without quotes" : ""));
    }

    /**
     * Quarkus REST wraps a body that is not JSON at all (bad syntax, a duplicate key, cut short) in a
     * bare 400; this unwraps it to say what is wrong. Other web exceptions keep their status and message.
     */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof StreamReadException read) {
            return unparsable(read);
        }
        if (e.getCause() instanceof MismatchedInputException mismatched) {
            return mismatched(mismatched);
        }
        if (e.getResponse().getStatus() >= 500) {
            return ErrorMappers.unexpectedProblem(e);
        }
        return Problem.response(e.getResponse().getStatus(), e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage());
    }

    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response unparsable(StreamReadException e) {
        String msg = String.valueOf(e.getOriginalMessage());
        if (msg.startsWith("Duplicate field")) {
            String name = msg.replaceFirst("^Duplicate field '([^']*)'.*$", "$1");
            return Problem.response(400, "Duplicate field", "field '" + (name.length() <= 64 ? name : "?")
                    + "' is given more than once; give each field once");
        }
        if (e instanceof JsonEOFException) {
            return Problem.response(400, "Malformed JSON", "the body ends in the middle of the JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        String at = e.getLocation() == null ? ""
                : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return Problem.response(400, "Malformed JSON", "the body is not one valid JSON object" + at
                + ": check the quoting (double quotes only) and that nothing follows the closing }");
    }

    private static String field(List<JsonMappingException.Reference> path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        return path.stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String describe(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return "a JSON object";
    }

    private static String jsonKind(Object value) {
        return value instanceof String ? "a string" : value instanceof Number ? "a number" : value instanceof Boolean ? "a boolean"
                : "another kind of value";
    }
}
