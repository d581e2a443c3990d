package dev.archon.sync.api;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.DatabaseComparison;
import dev.archon.sync.engine.ProgressEvent;
import dev.archon.sync.history.HistoryEntry;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The document at /q/openapi: every /api route needs the key in X-API-Key (the "api-key" scheme);
 * errors are application/problem+json ({@link Problem}). What each route answers is written in
 * {@code META-INF/openapi.yaml}; the schemas it names are listed here, because the resources answer a
 * plain {@code Response} and the scanner would otherwise not describe those types. Swagger UI:
 * /q/swagger-ui (in production only with QUARKUS_SWAGGER_UI_ENABLED=true). An {@link Application}
 * without overrides (all resources, no path prefix): the OpenAPI scanner reads the document-level
 * annotations from there.
 */
@OpenAPIDefinition(
        info = @Info(title = "archon-db-sync", version = "1",
                description = "All-or-nothing, verified replace-sync of Archon's tables between local Supabase and Supabase Cloud. "
                        + "JSON is snake_case; every error is application/problem+json."),
        security = @SecurityRequirement(name = OpenApiDefinition.API_KEY),
        components = @Components(schemas = {
                @Schema(name = "Problem", implementation = Problem.class),
                @Schema(name = "ProgressEvent", implementation = ProgressEvent.class),
                @Schema(name = "HistoryEntry", implementation = HistoryEntry.class),
                @Schema(name = "BackupManifest", implementation = BackupManifest.class),
                @Schema(name = "Result", implementation = DatabaseComparison.Result.class)}))
@SecurityScheme(securitySchemeName = OpenApiDefinition.API_KEY, type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER, apiKeyName = "X-API-Key",
        description = "ARCHON_SYNC_API_KEY of the service")
public class OpenApiDefinition extends Application {
    public static final String API_KEY = "api-key";
}
