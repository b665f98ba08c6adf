package dev.attachments.api;

import dev.attachments.tracing.Tracing;
import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The HTTP API process. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Attachments",
            version = "v1",
            description =
                "Uploads straight to S3 through presigned URLs, one durable workflow per file that"
                    + " scans it with ClamAV and releases only what is clean, previews, webhooks."
                    + " Every client mistake is answered 4xx with an RFC 9457 problem"
                    + " (application/problem+json) that carries the request's id.",
            license = @License(name = "Apache-2.0")),
    security = @SecurityRequirement(name = Application.API_KEY),
    tags = {
      @Tag(name = "attachments", description = "Upload, complete, read and download files"),
      @Tag(
          name = "upload tokens",
          description = "Short-lived credentials a browser or phone may hold, for a few uploads"),
      @Tag(name = "webhooks", description = "Endpoints that receive the attachments' events"),
      @Tag(name = "operators", description = "Across owners, with an operator's key"),
      @Tag(name = "health", description = "Probes and the scanners' state, no key needed"),
      @Tag(name = "hooks", description = "Called by Cloudinary, signed by it")
    })
@SecurityScheme(
    name = Application.API_KEY,
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description =
        "An owner's API key (ATTACHMENTS_API_KEYS): it sees only its own attachments. Or, for"
            + " creating uploads and following them only, an upload token the owner minted")
@SecurityScheme(
    name = Application.OPS_KEY,
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description = "An operator's key (ATTACHMENTS_OPS_KEYS), for /v1/ops only")
public class Application {
  /** The OpenAPI document's name of the owners' bearer keys. */
  public static final String API_KEY = "apiKey";

  /** The OpenAPI document's name of the operators' bearer keys. */
  public static final String OPS_KEY = "opsKey";

  public static void main(String[] args) {
    // before any client is built, so that S3, PostgreSQL and Temporal calls join the traces
    Tracing.install("attachments-api");
    Micronaut.build(args).banner(false).mainClass(Application.class).start();
  }
}
