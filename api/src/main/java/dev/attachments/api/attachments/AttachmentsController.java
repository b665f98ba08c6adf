package dev.attachments.api.attachments;

import dev.attachments.api.Problem;
import dev.attachments.api.auth.ApiKeyFilter;
import dev.attachments.api.s3.MultipartUploads;
import dev.attachments.api.tokens.UploadTokenScope;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.UploadTokens.UploadToken;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.links.Link;
import io.swagger.v3.oas.annotations.links.LinkParameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;

/**
 * The attachments of the calling owner: create an upload, complete it, read it, download it, list
 * them, delete one. Each call is one use case; this class only reads the request and writes the
 * answer.
 */
@Controller("/v1/attachments")
@Tag(name = "attachments")
@ApiResponse(
    responseCode = "4XX",
    description = "A client mistake, said in an RFC 9457 problem",
    content =
        @Content(
            mediaType = Problem.CONTENT_TYPE,
            schema = @Schema(implementation = Problem.class)))
@ExecuteOn(TaskExecutors.BLOCKING)
public class AttachmentsController {
  private final CreateUpload createUpload;
  private final UploadUrls uploadUrls;
  private final CompleteUpload completeUpload;
  private final ReadAttachments reads;
  private final DeleteAttachment deleteAttachment;

  public AttachmentsController(
      CreateUpload createUpload,
      UploadUrls uploadUrls,
      CompleteUpload completeUpload,
      ReadAttachments reads,
      DeleteAttachment deleteAttachment) {
    this.createUpload = createUpload;
    this.uploadUrls = uploadUrls;
    this.completeUpload = completeUpload;
    this.reads = reads;
    this.deleteAttachment = deleteAttachment;
  }

  @Post
  @Operation(
      operationId = "createAttachment",
      summary = "Create an upload",
      description =
          "Answers how to upload the bytes straight to S3: one presigned PUT, or above the multipart"
              + " threshold the part size and count. 413 too large, 415 a type not allowed, 422 an"
              + " idempotency key reused for another file, 429 over the owner's limits.")
  @ApiResponse(
      responseCode = "201",
      description = "The attachment, AWAITING_UPLOAD, and how to upload it",
      content = @Content(schema = @Schema(implementation = Views.Created.class)),
      links = {
        @Link(
            name = "getAttachment",
            operationId = "getAttachment",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "completeUpload",
            operationId = "completeUpload",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "freshUpload",
            operationId = "freshUpload",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "presignParts",
            operationId = "presignParts",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "storedParts",
            operationId = "storedParts",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "downloadAttachment",
            operationId = "downloadAttachment",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "deleteAttachment",
            operationId = "deleteAttachment",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id"))
      })
  public HttpResponse<Views.Created> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @RequestAttribute(UploadTokenScope.TOKEN) @Nullable UploadToken token,
      @Parameter(description = "The same key and file answer the same attachment, once per owner")
          @Header("Idempotency-Key")
          @Nullable
          String idempotencyKey,
      @Body @Nullable CreateAttachment body) {
    return HttpResponse.<Views.Created>status(HttpStatus.CREATED)
        .body(createUpload.create(owner, token, idempotencyKey, body));
  }

  @Post("/{id}/parts")
  @Operation(
      operationId = "presignParts",
      summary = "Presign part URLs of a multipart upload",
      description = "At most 1,000 part numbers at once, each within 1..partCount.")
  public Views.PartUploads presignParts(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      String id,
      @Body @Nullable PartRequests.PartNumbers body) {
    return uploadUrls.parts(owner, id, body == null ? null : body.partNumbers());
  }

  @Post("/{id}/upload")
  @Operation(
      operationId = "freshUpload",
      summary = "Fresh upload URLs",
      description = "The upload again, with URLs that live another while; 409 once it is closed.")
  public Views.Upload freshUpload(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return uploadUrls.fresh(owner, id);
  }

  @Get("/{id}/parts")
  @Operation(
      operationId = "storedParts",
      summary = "The parts S3 holds",
      description = "What a client that crashed uploads no more: number, size and ETag of each.")
  public Views.StoredParts storedParts(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return uploadUrls.stored(owner, id);
  }

  @Post("/{id}/complete")
  @Operation(
      operationId = "completeUpload",
      summary = "Complete the upload",
      description =
          "Starts the scan; harmless to repeat. 409 when the upload expired or has not arrived, 422"
              + " when parts are missing or S3 refuses an ETag (the upload stays open).")
  @ApiResponse(
      responseCode = "202",
      description = "The upload is being processed",
      content = @Content(schema = @Schema(implementation = Views.Completed.class)))
  public HttpResponse<Views.Completed> complete(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      String id,
      @Body @Nullable PartRequests.Completion body) {
    List<MultipartUploads.Part> parts =
        body == null || body.parts() == null
            ? null
            : body.parts().stream()
                .map(p -> p == null ? null : new MultipartUploads.Part(p.partNumber(), p.etag()))
                .toList();
    return HttpResponse.accepted().body(completeUpload.complete(owner, id, parts));
  }

  @Get("/{id}")
  @Operation(operationId = "getAttachment", summary = "The attachment: status, verdict, preview")
  public AttachmentView get(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @RequestAttribute(UploadTokenScope.TOKEN) @Nullable UploadToken token,
      String id) {
    AttachmentView attachment = reads.get(owner, id);
    // what operators did and said is the owner's to read, not a browser's holding a token
    return token == null ? attachment : attachment.withAudit(List.of());
  }

  @Get("/{id}/download")
  @Operation(
      operationId = "downloadAttachment",
      summary = "A short-lived download URL",
      description = "Only for a RELEASED attachment (409 otherwise).")
  public Views.Download download(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return reads.download(owner, id);
  }

  @Delete("/{id}")
  @Operation(
      operationId = "deleteAttachment",
      summary = "Delete the attachment",
      description =
          "Whatever its status: an upload in progress is cancelled (its multipart upload aborted),"
              + " a file is deleted from every bucket with its previews and Cloudinary assets. It is"
              + " DELETED at once (never served again) and the row stays as its record; the files"
              + " go moments later, through its workflow, which sends attachment.deleted. Audited;"
              + " harmless to repeat (a repeat answers the same).")
  @ApiResponse(
      responseCode = "202",
      description = "The attachment, DELETED; its files are being deleted",
      content = @Content(schema = @Schema(implementation = AttachmentView.class)))
  public HttpResponse<AttachmentView> delete(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return HttpResponse.accepted().body(deleteAttachment.delete(owner, id));
  }

  @Get
  @Operation(operationId = "listAttachments", summary = "The owner's attachments, newest first")
  public Views.Listing list(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @Parameter(description = "Only attachments in this status") @QueryValue @Nullable
          String status,
      @Parameter(description = "1 to 100 items (20)", schema = @Schema(type = "integer"))
          @QueryValue
          @Nullable
          String limit,
      @Parameter(description = "The nextCursor of the page before") @QueryValue @Nullable
          String cursor) {
    return reads.list(owner, status, limit, cursor);
  }
}
