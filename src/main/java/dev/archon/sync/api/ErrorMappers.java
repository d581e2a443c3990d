package dev.archon.sync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as application/problem+json with a message that says what to fix. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return Problem.response(400, "Unknown field", "unknown field '" + e.getPropertyName() + "'; known fields: "
                + e.getKnownPropertyIds());
    }

    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        String field = e.getPath().isEmpty() ? "the body" : "field '" + e.getPath().get(e.getPath().size() - 1).getFieldName() + "'";
        return Problem.response(400, "Invalid field", field + " has the wrong type (expected "
                + (e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName()) + ")");
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        return Problem.response(400, "Malformed JSON", "the body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return Problem.response(status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage());
    }
}
