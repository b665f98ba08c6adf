package dev.attachments.api.ops;

import dev.attachments.metadata.OperatorActions;
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

/**
 * What operators do across owners: find attachments by status, reprocess FAILED ones, release a
 * quarantined false positive. Each call is one use case.
 */
@Controller("/v1/ops/attachments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class OpsController {
  private final ListAllAttachments listing;
  private final Reprocess reprocess;
  private final ReleaseQuarantined release;

  public OpsController(
      ListAllAttachments listing, Reprocess reprocess, ReleaseQuarantined release) {
    this.listing = listing;
    this.reprocess = reprocess;
    this.release = release;
  }

  @Serdeable
  public record Reprocessed(List<String> ids) {}

  @Serdeable
  public record Release(@Nullable String reason) {}

  /** The release is under way: the attachment is PROCESSING until its file has left quarantine. */
  @Serdeable
  public record Released(String id, String status, String releasedBy, String reason) {}

  /**
   * Processes a FAILED attachment again from the step that failed, or with {@code from=scan} from a
   * fresh scan; 202 while it runs.
   */
  @Post("/{id}/reprocess")
  public HttpResponse<Reprocessed> reprocess(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      String id,
      @QueryValue @Nullable String from) {
    return HttpResponse.accepted().body(new Reprocessed(reprocess.one(operator, id, from)));
  }

  @Post("/reprocess")
  public HttpResponse<Reprocessed> reprocessAll(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      @QueryValue @Nullable String status) {
    return HttpResponse.accepted().body(new Reprocessed(reprocess.all(operator, status)));
  }

  @Get
  public ListAllAttachments.OpsListing list(
      @QueryValue @Nullable String status,
      @QueryValue @Nullable Integer limit,
      @QueryValue @Nullable String cursor) {
    return listing.list(status, limit, cursor);
  }

  /** 202 while the attachment's workflow moves the file out of quarantine. */
  @Post("/{id}/release")
  public HttpResponse<Released> release(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      String id,
      @Body @Nullable Release body) {
    OperatorActions.AuditEntry audit =
        release.release(operator, id, body == null ? null : body.reason());
    return HttpResponse.accepted()
        .body(new Released(id, AttachmentStatus.PROCESSING.name(), operator, audit.reason()));
  }
}
