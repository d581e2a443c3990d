package dev.archon.sync.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.pg.Redactor;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem document ({@code application/problem+json}); {@code detail} says what to fix.
 * {@code correlation_id} is set on unexpected errors: the same id is on the log line with the details.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details (application/problem+json)")
public record Problem(
        @Schema(examples = "about:blank") String type,
        @Schema(examples = "A sync is already running") String title,
        @Schema(examples = "409") int status,
        @Schema(examples = "sync 3f2a… is running; wait for it or cancel it") String detail,
        @Schema(description = "the sync this problem is about (409: the running one)") String syncId,
        @Schema(description = "422: every reason preflight refused") List<Refusal> refusals,
        @Schema(description = "the sync's state, when there is one") ProgressEvent sync,
        @Schema(description = "unexpected errors: quote it; the service log has the details under the same id")
        String correlationId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem(String type, String title, int status, String detail, String syncId, List<Refusal> refusals,
            ProgressEvent sync) {
        this(type, title, status, detail, syncId, refusals, sync, null);
    }

    public static Response response(int status, String title, String detail) {
        return of(new Problem("about:blank", title, status, Redactor.redact(detail), null, null, null));
    }

    public static Response of(Problem p) {
        return Response.status(p.status()).type(MEDIA_TYPE).entity(p).build();
    }
}
