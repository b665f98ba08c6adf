package dev.attachments.api.webhooks;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import dev.attachments.metadata.WebhookRepository;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** The JSON bodies of {@code /v1/webhooks}. */
public final class WebhookViews {

  @Serdeable
  public record NewEndpoint(
      @Schema(
              requiredMode = REQUIRED,
              types = "string",
              format = "uri",
              description = "An https URL on a public address",
              example = "https://example.com/hooks/attachments")
          @Nullable
          String url,
      @ArraySchema(
              minItems = 1,
              schema =
                  @Schema(
                      allowableValues = {
                        "attachment.uploaded",
                        "attachment.released",
                        "attachment.quarantined",
                        "attachment.rejected",
                        "attachment.expired",
                        "attachment.failed",
                        "attachment.preview_ready",
                        "attachment.deleted"
                      }))
          @Schema(requiredMode = REQUIRED)
          @Nullable
          List<String> events) {}

  /** An endpoint; {@code secret} only in the answer to its creation. */
  @Serdeable
  public record EndpointView(
      String id, String url, List<String> events, @Nullable String secret, Instant createdAt) {
    static EndpointView of(WebhookRepository.Endpoint e, boolean withSecret) {
      return new EndpointView(
          e.id().toString(), e.url(), e.events(), withSecret ? e.secret() : null, e.createdAt());
    }
  }

  @Serdeable
  public record Endpoints(List<EndpointView> items) {}

  @Serdeable
  public record DeliveryView(
      String id,
      String eventId,
      String type,
      int attempt,
      @Nullable Integer statusCode,
      @Nullable String error,
      Instant at) {
    static DeliveryView of(WebhookRepository.Delivery d) {
      return new DeliveryView(
          d.id().toString(),
          d.eventId().toString(),
          d.eventType(),
          d.attempt(),
          d.statusCode(),
          d.error(),
          d.at());
    }
  }

  @Serdeable
  public record Deliveries(List<DeliveryView> items) {}

  private WebhookViews() {}
}
