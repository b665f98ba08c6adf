package dev.attachments.api.ops;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.attachments.api.ApiSettings;
import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.upload.AttachmentWorkflows;
import dev.attachments.api.upload.PresignedUrls;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentRepository;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.Page;
import dev.attachments.storage.S3Objects;
import dev.attachments.workflow.AttachmentStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What operators do across owners: find attachments by status, release a quarantined false
 * positive.
 */
@Controller("/v1/ops/attachments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class OpsController {
  /**
   * A reason is kept in the audit and shown in the Temporal UI: a few sentences, not a document.
   */
  static final int MAX_REASON = 1000;

  private final AttachmentRepository repository;
  private final AttachmentWorkflows workflows;
  private final S3Client s3;
  private final ApiSettings.Buckets buckets;
  private final PresignedUrls urls;

  public OpsController(
      AttachmentRepository repository,
      AttachmentWorkflows workflows,
      S3Client s3,
      ApiSettings.Buckets buckets,
      PresignedUrls urls) {
    this.repository = repository;
    this.workflows = workflows;
    this.s3 = s3;
    this.buckets = buckets;
    this.urls = urls;
  }

  @Serdeable
  public record Reprocessed(List<String> ids) {}

  /**
   * Processes a FAILED attachment again, from the step that failed: a verdict it already had is
   * kept, so the scan is not repeated, unless {@code from=scan} asks for a fresh one.
   */
  @Post("/{id}/reprocess")
  public HttpResponse<Reprocessed> reprocess(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      String id,
      @QueryValue @Nullable String from) {
    Attachment attachment = findAny(id);
    if (from != null && !from.equals("scan")) {
      throw Refusal.invalid("from may only be 'scan'");
    }
    if (!reprocess(operator, attachment, "scan".equals(from))) {
      throw Refusal.conflict(
          "not-failed",
          "the attachment is " + attachment.status() + "; only FAILED ones are reprocessed");
    }
    return HttpResponse.accepted().body(new Reprocessed(List.of(id)));
  }

  /** Reprocesses every attachment in a status (FAILED), up to 1,000 a call. */
  @Post("/reprocess")
  public HttpResponse<Reprocessed> reprocessAll(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      @QueryValue @Nullable String status) {
    if (!"FAILED".equalsIgnoreCase(status)) {
      throw Refusal.invalid("bulk reprocessing takes status=FAILED");
    }
    List<String> ids = new java.util.ArrayList<>();
    for (Attachment attachment : repository.listAll(AttachmentStatus.FAILED, 1000, null).items()) {
      if (reprocess(operator, attachment, false)) {
        ids.add(attachment.id().toString());
      }
    }
    return HttpResponse.accepted().body(new Reprocessed(ids));
  }

  private boolean reprocess(String operator, Attachment attachment, boolean rescan) {
    if (rescan
        && S3Objects.headOrNull(s3, buckets.incoming(), attachment.objectKey()) == null
        && S3Objects.headOrNull(s3, buckets.quarantine(), attachment.objectKey()) == null) {
      throw Refusal.conflict(
          "not-in-incoming",
          "the file is neither in the incoming bucket nor held for its scan, so it cannot be scanned again;"
              + " reprocess without from=scan");
    }
    return repository
        .reopenFailed(
            attachment.id(),
            operator,
            rescan ? "reprocess from the scan" : "reprocess from the failed step",
            rescan)
        .map(
            audit -> {
              workflows.rerun(attachment, audit);
              return true;
            })
        .orElse(false);
  }

  private Attachment findAny(String id) {
    return repository
        .findAny(Params.id(id, "no attachment " + id))
        .orElseThrow(() -> Refusal.notFound("no attachment " + id));
  }

  /** An attachment in the operators' listing: the owner's view of it, and whose it is. */
  @Serdeable
  public record OpsAttachment(String owner, @JsonUnwrapped AttachmentView attachment) {}

  @Serdeable
  public record OpsListing(List<OpsAttachment> items, @Nullable String nextCursor) {}

  @Serdeable
  public record Release(@Nullable String reason) {}

  /** The release is under way: the attachment is PROCESSING until its file has left quarantine. */
  @Serdeable
  public record Released(String id, String status, String releasedBy, String reason) {}

  @Get
  public OpsListing list(
      @QueryValue @Nullable String status,
      @QueryValue @Nullable Integer limit,
      @QueryValue @Nullable String cursor) {
    AttachmentStatus only = Params.statusFilter(status);
    int size = limit == null ? 50 : limit;
    if (size < 1 || size > 500) {
      throw Refusal.invalid("limit must be from 1 to 500");
    }
    Page page;
    try {
      page = repository.listAll(only, size, cursor == null || cursor.isBlank() ? null : cursor);
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid(e.getMessage());
    }
    return new OpsListing(
        page.items().stream()
            .map(a -> new OpsAttachment(a.owner(), AttachmentView.of(a, urls::preview)))
            .toList(),
        page.nextCursor());
  }

  /**
   * Releases a quarantined attachment that an operator judged a false positive. A reason is
   * required, and who, when and why stay on the attachment for its owner to see. The attachment's
   * workflow runs again to move the file, make previews and tell the owner's webhooks; the answer
   * is 202 while it does.
   */
  @Post("/{id}/release")
  public HttpResponse<Released> release(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      String id,
      @Body @Nullable Release body) {
    if (body == null || body.reason() == null || body.reason().isBlank()) {
      throw Refusal.invalid("a release needs {\"reason\":\"...\"}: why the verdict was wrong");
    }
    if (body.reason().length() > MAX_REASON) {
      throw Refusal.invalid(
          "the reason is " + body.reason().length() + " characters; at most " + MAX_REASON);
    }
    Attachment attachment = findAny(id);
    AttachmentRepository.AuditEntry audit =
        repository
            .releaseQuarantined(attachment.id(), operator, body.reason().trim())
            .orElseThrow(
                () ->
                    Refusal.conflict(
                        "not-quarantined",
                        "the attachment is "
                            + attachment.status()
                            + "; only QUARANTINED ones are released by hand"));
    workflows.rerun(attachment, audit);
    return HttpResponse.accepted()
        .body(new Released(id, AttachmentStatus.PROCESSING.name(), operator, audit.reason()));
  }
}
