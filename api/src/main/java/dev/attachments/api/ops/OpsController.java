package dev.attachments.api.ops;

import dev.attachments.api.Application;
import dev.attachments.api.Problem;
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
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;

/**
 * What operators do across owners: find attachments by status, reprocess FAILED ones, release a
 * quarantined false positive. Each call is one use case.
 */
@Controller("/v1/ops/attachments")
@Tag(name = "operators")
@SecurityRequirement(name = Application.OPS_KEY)
@ApiResponse(
    responseCode = "4XX",
    description = "A client mistake, said in an RFC 9457 problem",
    content =
        @Content(
            mediaType = Problem.CONTENT_TYPE,
            schema = @Schema(implementation = Problem.class)))
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
  @Operation(operationId = "reprocessAttachment")
  @ApiResponse(
      responseCode = "202",
      description = "Reprocessing",
      content = @Content(schema = @Schema(implementation = Reprocessed.class)))
  public HttpResponse<Reprocessed> reprocess(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      String id,
      @QueryValue @Nullable String from) {
    return HttpResponse.accepted().body(new Reprocessed(reprocess.one(operator, id, from)));
  }

  @Post("/reprocess")
  @Operation(
      operationId = "reprocessAll",
      summary = "Reprocess every FAILED attachment (or those in the status given)")
  @ApiResponse(
      responseCode = "202",
      description = "Reprocessing these",
      content = @Content(schema = @Schema(implementation = Reprocessed.class)))
  public HttpResponse<Reprocessed> reprocessAll(
      @RequestAttribute(OpsKeyFilter.OPERATOR) String operator,
      @QueryValue @Nullable String status) {
    return HttpResponse.accepted().body(new Reprocessed(reprocess.all(operator, status)));
  }

  @Get
  @Operation(
      operationId = "listAllAttachments",
      summary = "Attachments of every owner, newest first")
  public ListAllAttachments.OpsListing list(
      @QueryValue @Nullable String status,
      @QueryValue @Nullable Integer limit,
      @QueryValue @Nullable String cursor) {
    return listing.list(status, limit, cursor);
  }

  /** 202 while the attachment's workflow moves the file out of quarantine. */
  @Post("/{id}/release")
  @Operation(operationId = "releaseQuarantined")
  @ApiResponse(
      responseCode = "202",
      description = "Releasing",
      content = @Content(schema = @Schema(implementation = Released.class)))
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
