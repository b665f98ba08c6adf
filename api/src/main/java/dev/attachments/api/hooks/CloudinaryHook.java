package dev.attachments.api.hooks;

import com.cloudinary.Configuration;
import com.cloudinary.api.signing.NotificationRequestSignatureVerifier;
import dev.attachments.api.ApiSettings;
import dev.attachments.api.Problem;
import dev.attachments.api.Refusal;
import dev.attachments.api.temporal.AttachmentWorkflows;
import dev.attachments.preview.PreviewNotice;
import dev.attachments.redaction.Redaction;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Where Cloudinary reports derivatives it made asynchronously (large videos). The notification is
 * trusted only with a valid signature over its exact body and a fresh timestamp; then the
 * attachment's workflow is told.
 */
@Controller("/v1/hooks/cloudinary")
@Tag(name = "hooks")
@ExecuteOn(TaskExecutors.BLOCKING)
public class CloudinaryHook {
  /** How old a notification may be; older ones could be replays. */
  static final long VALID_FOR_SECONDS = 2 * 60 * 60;

  private final NotificationRequestSignatureVerifier verifier;
  private final AttachmentWorkflows workflows;
  private final JsonMapper json;

  public CloudinaryHook(
      ApiSettings.Cloudinary cloudinary, AttachmentWorkflows workflows, JsonMapper json) {
    this.verifier =
        cloudinary.isConfigured()
            ? new NotificationRequestSignatureVerifier(
                Configuration.from(cloudinary.url()).apiSecret)
            : null;
    this.workflows = workflows;
    this.json = json;
  }

  @Post
  @Operation(
      operationId = "cloudinaryNotification",
      summary = "Cloudinary's notifications",
      description =
          "Authenticated by Cloudinary's signature, not a key: 401 forged or stale, 400 without"
              + " its headers, 404 when Cloudinary is not configured here.")
  @SecurityRequirements
  @ApiResponse(responseCode = "200", description = "Taken")
  @ApiResponse(
      responseCode = "4XX",
      description = "Refused, said in an RFC 9457 problem",
      content =
          @Content(
              mediaType = Problem.CONTENT_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  public HttpResponse<Void> notified(
      @Header("X-Cld-Timestamp") @Nullable String timestamp,
      @Header("X-Cld-Signature") @Nullable String signature,
      @Body @Nullable String body) {
    if (verifier == null) {
      throw Refusal.notFound("Cloudinary is not configured here");
    }
    if (timestamp == null || signature == null || body == null) {
      throw Refusal.invalid(
          "a Cloudinary notification carries X-Cld-Timestamp, X-Cld-Signature and a body");
    }
    boolean valid;
    try {
      valid = verifier.verifySignature(body, timestamp, signature, VALID_FOR_SECONDS);
    } catch (RuntimeException malformed) {
      valid = false;
    }
    if (!valid) {
      throw Refusal.of(
          Refusal.Kind.UNAUTHENTICATED,
          "bad-signature",
          "the notification's signature or timestamp is not valid");
    }
    Map<?, ?> notification;
    try {
      notification = json.readValue(body, Map.class);
    } catch (IOException e) {
      throw Refusal.invalid("the notification is not JSON");
    }
    if (!"eager".equals(notification.get("notification_type"))) {
      return HttpResponse.ok(); // other kinds of notification say nothing about previews
    }
    UUID attachmentId;
    try {
      attachmentId = UUID.fromString(String.valueOf(notification.get("public_id")));
    } catch (IllegalArgumentException e) {
      return HttpResponse.ok(); // not one of our attachments
    }
    workflows.previewProcessed(attachmentId.toString(), notice(notification));
    return HttpResponse.ok();
  }

  private static PreviewNotice notice(Map<?, ?> notification) {
    if (notification.get("eager") instanceof List<?> eager) {
      for (Object derivative : eager) {
        if (derivative instanceof Map<?, ?> d && "failed".equals(d.get("status"))) {
          return new PreviewNotice(
              false,
              Redaction.scrub(
                  "Cloudinary could not make " + d.get("transformation") + ": " + d.get("reason")));
        }
      }
    }
    return new PreviewNotice(true, null);
  }
}
