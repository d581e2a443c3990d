package dev.archon.sync.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The document at /q/openapi: every /api route needs the key in X-API-Key (the "api-key" scheme);
 * errors are application/problem+json ({@link Problem}). Swagger UI: /q/swagger-ui (in production only
 * with QUARKUS_SWAGGER_UI_ENABLED=true). An {@link Application} without overrides (all resources, no
 * path prefix): the OpenAPI scanner reads the document-level annotations from there.
 */
@OpenAPIDefinition(
        info = @Info(title = "archon-db-sync", version = "1",
                description = "All-or-nothing, verified replace-sync of Archon's tables between local Supabase and Supabase Cloud. "
                        + "JSON is snake_case; every error is application/problem+json."),
        security = @SecurityRequirement(name = OpenApiDefinition.API_KEY))
@SecurityScheme(securitySchemeName = OpenApiDefinition.API_KEY, type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER, apiKeyName = "X-API-Key",
        description = "ARCHON_SYNC_API_KEY of the service")
public class OpenApiDefinition extends Application {
    public static final String API_KEY = "api-key";
    /** Media type names for the annotations. */
    public static final String JSON = "application/json";
    public static final String PROBLEM = Problem.MEDIA_TYPE;
}
