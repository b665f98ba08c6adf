package dev.attachments.api.ops;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Problems;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentRepository;
import dev.attachments.metadata.Page;
import dev.attachments.workflow.AttachmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/** What operators do across owners: find attachments by status, release a quarantined false positive. */
@Controller("/v1/ops/attachments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class OpsController {
  private final AttachmentRepository repository;
  private final S3Client s3;
  private final ApiSettings settings;

  public OpsController(AttachmentRepository repository, S3Client s3, ApiSettings settings) {
    this.repository = repository;
    this.s3 = s3;
    this.settings = settings;
  }

  @Serdeable
  public record OpsAttachment(
      String id, String owner, String filename, String contentType, long size, String status,
      @Nullable String reason, @Nullable String scanVerdict, @Nullable String scanSignature, Instant createdAt) {
    static OpsAttachment of(Attachment a) {
      return new OpsAttachment(
          a.id().toString(), a.owner(), a.filename(), a.contentType(), a.size(), a.status().name(), a.statusReason(),
          a.scan() == null ? null : a.scan().verdict().name(), a.scan() == null ? null : a.scan().signature(),
          a.createdAt());
    }
  }

  @Serdeable
  public record OpsListing(List<OpsAttachment> items, @Nullable String nextCursor) {}

  @Serdeable
  public record Release(@Nullable String reason) {}

  @Serdeable
  public record Released(String id, String status, String releasedBy, String reason) {}

  @Get
  public OpsListing list(
      @QueryValue @Nullable String status, @QueryValue @Nullable Integer limit, @QueryValue @Nullable String cursor) {
    AttachmentStatus only = null;
    if (status != null && !status.isBlank()) {
      try {
        only = AttachmentStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Problems.invalid("status '" + status + "' is not one of " + List.of(AttachmentStatus.values()));
      }
    }
    int size = limit == null ? 50 : limit;
    if (size < 1 || size > 500) {
      throw Problems.invalid("limit must be from 1 to 500");
    }
    Page page;
    try {
      page = repository.listAll(only, size, cursor == null || cursor.isBlank() ? null : cursor);
    } catch (IllegalArgumentException e) {
      throw Problems.invalid(e.getMessage());
    }
    return new OpsListing(page.items().stream().map(OpsAttachment::of).toList(), page.nextCursor());
  }

  /**
   * Releases a quarantined attachment that an operator judged a false positive. A reason is required, and who,
   * when and why stay on the attachment for its owner to see.
   */
  @Post("/{id}/release")
  public Released release(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator, String id, @Body @Nullable Release body) {
    if (body == null || body.reason() == null || body.reason().isBlank()) {
      throw Problems.invalid("a release needs {\"reason\":\"...\"}: why the verdict was wrong");
    }
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw Problems.notFound("no attachment " + id);
    }
    Attachment attachment = repository.findAny(uuid).orElseThrow(() -> Problems.notFound("no attachment " + id));
    if (attachment.status() != AttachmentStatus.QUARANTINED) {
      throw Problems.conflict("not-quarantined", "the attachment is " + attachment.status() + "; only QUARANTINED ones are released by hand");
    }
    String key = attachment.objectKey();
    s3.copyObject(
        b -> b.sourceBucket(settings.bucketQuarantine()).sourceKey(key).destinationBucket(settings.bucketReleased()).destinationKey(key));
    if (!repository.releaseQuarantined(uuid, operator, body.reason().trim())) {
      s3.deleteObject(b -> b.bucket(settings.bucketReleased()).key(key));
      throw Problems.conflict("not-quarantined", "the attachment changed meanwhile; look again");
    }
    s3.deleteObject(b -> b.bucket(settings.bucketQuarantine()).key(key));
    return new Released(id, AttachmentStatus.RELEASED.name(), operator, body.reason().trim());
  }
}
