package dev.attachments.api.attachments;

import dev.attachments.api.auth.ApiKeyFilter;
import dev.attachments.api.s3.MultipartUploads;
import dev.attachments.metadata.AttachmentView;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/**
 * The attachments of the calling owner: create an upload, complete it, read it, download it, list
 * them. Each call is one use case; this class only reads the request and writes the answer.
 */
@Controller("/v1/attachments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AttachmentsController {
  private final CreateUpload createUpload;
  private final UploadUrls uploadUrls;
  private final CompleteUpload completeUpload;
  private final ReadAttachments reads;

  public AttachmentsController(
      CreateUpload createUpload,
      UploadUrls uploadUrls,
      CompleteUpload completeUpload,
      ReadAttachments reads) {
    this.createUpload = createUpload;
    this.uploadUrls = uploadUrls;
    this.completeUpload = completeUpload;
    this.reads = reads;
  }

  @Post
  public HttpResponse<Views.Created> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @Header("Idempotency-Key") @Nullable String idempotencyKey,
      @Body @Nullable CreateAttachment body) {
    return HttpResponse.<Views.Created>status(HttpStatus.CREATED)
        .body(createUpload.create(owner, idempotencyKey, body));
  }

  @Post("/{id}/parts")
  public Views.PartUploads presignParts(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      String id,
      @Body @Nullable PartRequests.PartNumbers body) {
    return uploadUrls.parts(owner, id, body == null ? null : body.partNumbers());
  }

  @Post("/{id}/upload")
  public Views.Upload freshUpload(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return uploadUrls.fresh(owner, id);
  }

  @Get("/{id}/parts")
  public Views.StoredParts storedParts(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return uploadUrls.stored(owner, id);
  }

  @Post("/{id}/complete")
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
  public AttachmentView get(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return reads.get(owner, id);
  }

  @Get("/{id}/download")
  public Views.Download download(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return reads.download(owner, id);
  }

  @Get
  public Views.Listing list(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @QueryValue @Nullable String status,
      @QueryValue @Nullable String limit,
      @QueryValue @Nullable String cursor) {
    return reads.list(owner, status, limit, cursor);
  }
}
