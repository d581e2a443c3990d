package dev.archon.sync.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.pg.Redactor;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** An RFC 9457 problem document ({@code application/problem+json}); {@code detail} says what to fix. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String syncId, List<Refusal> refusals,
        ProgressEvent sync) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Response response(int status, String title, String detail) {
        return of(new Problem("about:blank", title, status, Redactor.redact(detail), null, null, null));
    }

    public static Response of(Problem p) {
        return Response.status(p.status()).type(MEDIA_TYPE).entity(p).build();
    }
}
