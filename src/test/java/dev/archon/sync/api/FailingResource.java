package dev.archon.sync.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;

/** Test-only routes that fail the way real code can, to see what a client gets. */
@Path("/api/test-failures")
@Produces(MediaType.APPLICATION_JSON)
public class FailingResource {
    static final String SECRET_URL = "postgresql://postgres:hunter2-secret@db.example:5432/postgres";

    /** A bug: an unchecked exception whose message carries a connection URL. */
    @GET
    @Path("/bug")
    public String bug() {
        throw new IllegalStateException("boom while talking to " + SECRET_URL, new ArithmeticException("inner"));
    }

    /** A database that does not answer. */
    @GET
    @Path("/database")
    public String database() throws SQLException {
        throw new SQLException("Connection to " + SECRET_URL + " refused", "08001");
    }
}
