package dev.attachments.api.upload;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.auth.ApiKeyFilter;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentRepository;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.NewAttachment;
import dev.attachments.metadata.Page;
import dev.attachments.scan.ContentTypes;
import dev.attachments.storage.S3Objects;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentStatus;
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
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The attachments of the calling owner: create an upload, complete it, read it, download it, list
 * them.
 */
@Controller("/v1/attachments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AttachmentsController {
  private static final int DEFAULT_PAGE = 20;
  private static final int LARGEST_PAGE = 100;
  private static final int MAX_PARTS_PER_CALL = 1000;

  private final AttachmentRepository repository;
  private final UploadPolicy policy;
  private final PresignedUrls urls;
  private final AttachmentWorkflows workflows;
  private final MultipartUploads multipart;
  private final S3Client s3;
  private final ApiSettings.Uploads settings;
  private final ApiSettings.Buckets buckets;

  public AttachmentsController(
      AttachmentRepository repository,
      UploadPolicy policy,
      PresignedUrls urls,
      AttachmentWorkflows workflows,
      MultipartUploads multipart,
      S3Client s3,
      ApiSettings.Uploads settings,
      ApiSettings.Buckets buckets) {
    this.repository = repository;
    this.policy = policy;
    this.urls = urls;
    this.workflows = workflows;
    this.multipart = multipart;
    this.s3 = s3;
    this.settings = settings;
    this.buckets = buckets;
  }

  @Post
  public HttpResponse<Views.Created> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @Header("Idempotency-Key") @Nullable String idempotencyKey,
      @Body @Nullable CreateAttachment body) {
    CreateAttachment request = policy.check(body);
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
      throw Refusal.invalid("Idempotency-Key must be 1 to 255 characters");
    }
    Instant now = Instant.now();
    Instant expiresAt = now.plus(PresignedUrls.clamp(settings.window()));
    UUID id = UUID.randomUUID();
    String objectKey = AttachmentRequest.objectKey(owner, id.toString());
    boolean inParts = request.size() > settings.multipartThreshold();
    String uploadId = inParts ? multipart.open(objectKey, request.contentType()) : null;
    AttachmentRepository.Created created =
        repository.create(
            new NewAttachment(
                id,
                owner,
                request.filename(),
                request.contentType(),
                request.size(),
                request.sha256(),
                idempotencyKey,
                expiresAt,
                now,
                uploadId,
                inParts ? MultipartUploads.partSize(request.size()) : null));
    Attachment attachment = created.attachment();
    if (!created.isNew() && uploadId != null) {
      multipart.abort(objectKey, uploadId); // the first request's upload is the one to use
    }
    if (!created.isNew() && !sameRequest(attachment, request)) {
      throw Refusal.of(
          Refusal.Kind.UNPROCESSABLE,
          "idempotency-key-reused",
          "Idempotency-Key '"
              + idempotencyKey
              + "' was used for another attachment ("
              + attachment.id()
              + ")");
    }
    if (attachment.status() != AttachmentStatus.AWAITING_UPLOAD) {
      return HttpResponse.<Views.Created>status(HttpStatus.CREATED)
          .body(new Views.Created(attachment.id().toString(), attachment.status().name(), null));
    }
    // on a retried create too: the workflow may be what the first try did not get to
    workflows.start(attachment);
    return HttpResponse.<Views.Created>status(HttpStatus.CREATED)
        .body(
            new Views.Created(
                attachment.id().toString(), attachment.status().name(), upload(attachment)));
  }

  private Views.Upload upload(Attachment attachment) {
    if (attachment.multipart() != null) {
      return Views.Upload.multipart(
          attachment.multipart().partSize(),
          attachment.multipart().partCount(attachment.size()),
          attachment.uploadExpiresAt());
    }
    return urls.upload(
        attachment.objectKey(),
        attachment.contentType(),
        attachment.size(),
        attachment.declaredSha256(),
        attachment.uploadExpiresAt());
  }

  /** Presigned PUTs for the parts a client asks for, at most 1,000 a call. */
  @Post("/{id}/parts")
  public Views.PartUploads presignParts(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      String id,
      @Body @Nullable PartRequests.PartNumbers body) {
    Attachment attachment = openMultipart(owner, id);
    int partCount = attachment.multipart().partCount(attachment.size());
    if (body == null || body.partNumbers() == null || body.partNumbers().isEmpty()) {
      throw Refusal.invalid(
          "send {\"partNumbers\":[1,2,...]}, at most " + MAX_PARTS_PER_CALL + " a call");
    }
    if (body.partNumbers().size() > MAX_PARTS_PER_CALL) {
      throw Refusal.invalid("at most " + MAX_PARTS_PER_CALL + " part numbers a call");
    }
    List<Views.PartUpload> parts = new java.util.ArrayList<>();
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (Integer number : body.partNumbers()) {
      if (number == null || number < 1 || number > partCount) {
        throw Refusal.invalid(
            "part numbers run from 1 to " + partCount + "; " + number + " is not one");
      }
      if (seen.add(number)) {
        parts.add(
            urls.part(
                attachment.objectKey(),
                attachment.multipart().uploadId(),
                number,
                attachment.multipart().partLength(attachment.size(), number),
                attachment.uploadExpiresAt()));
      }
    }
    Instant expiresAt = urls.urlsExpireAt(attachment.uploadExpiresAt());
    stillOpen(owner, id);
    return new Views.PartUploads(parts, expiresAt);
  }

  /**
   * Fresh upload URLs (they live minutes), as long as the upload is open: the single PUT's, or the
   * multipart upload's description (whose part URLs come from {@code POST /parts}).
   */
  @Post("/{id}/upload")
  public Views.Upload freshUpload(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    Views.Upload upload = upload(find(owner, id));
    stillOpen(owner, id);
    return upload;
  }

  /**
   * Checked after presigning: a URL handed out is then older than the moment the workflow stopped
   * taking uploads, so it expires before the workflow sweeps the incoming bucket.
   */
  private void stillOpen(String owner, String id) {
    Attachment now = find(owner, id);
    if (now.status() != AttachmentStatus.AWAITING_UPLOAD) {
      throw closed(now);
    }
  }

  private static dev.attachments.api.Refusal closed(Attachment attachment) {
    return Refusal.conflict(
        "upload-closed",
        "the attachment is " + attachment.status() + "; its upload is no longer open");
  }

  /**
   * The parts S3 already holds, with size and ETag, so that a client resumes instead of starting
   * again.
   */
  @Get("/{id}/parts")
  public Views.StoredParts storedParts(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    Attachment attachment = openMultipart(owner, id);
    return new Views.StoredParts(
        multipart.stored(attachment),
        attachment.multipart().partCount(attachment.size()),
        attachment.multipart().partSize());
  }

  private Attachment openMultipart(String owner, String id) {
    Attachment attachment = find(owner, id);
    if (attachment.multipart() == null) {
      throw Refusal.conflict(
          "not-multipart", "this attachment uploads in one PUT; it has no parts");
    }
    if (attachment.status() != AttachmentStatus.AWAITING_UPLOAD) {
      throw closed(attachment);
    }
    return attachment;
  }

  private static boolean sameRequest(Attachment existing, CreateAttachment request) {
    return existing.filename().equals(request.filename())
        && existing.contentType().equals(request.contentType())
        && existing.size() == request.size()
        && Objects.equals(existing.declaredSha256(), request.sha256());
  }

  @Post("/{id}/complete")
  public HttpResponse<Views.Completed> complete(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      String id,
      @Body @Nullable PartRequests.Completion body) {
    Attachment attachment = find(owner, id);
    if (attachment.status() == AttachmentStatus.EXPIRED) {
      throw Refusal.conflict(
          "upload-expired",
          "the upload expired at " + attachment.uploadExpiresAt() + "; create a new attachment");
    }
    if (attachment.status() == AttachmentStatus.AWAITING_UPLOAD) {
      if (!uploaded(attachment)) {
        if (attachment.multipart() != null) {
          multipart.complete(attachment, body == null ? null : body.parts());
        } else {
          Attachment now = find(owner, id);
          if (now.status() == AttachmentStatus.AWAITING_UPLOAD) {
            throw Refusal.conflict(
                "upload-missing",
                "no file has arrived for this attachment yet: PUT it to the upload URL first");
          }
          attachment = now;
        }
      }
      if (attachment.status() == AttachmentStatus.AWAITING_UPLOAD) {
        workflows.uploadCompleted(attachment.id().toString());
      }
    }
    return HttpResponse.accepted()
        .body(new Views.Completed(attachment.id().toString(), find(owner, id).status().name()));
  }

  private boolean uploaded(Attachment attachment) {
    return S3Objects.headOrNull(s3, buckets.incoming(), attachment.objectKey()) != null;
  }

  @Get("/{id}")
  public AttachmentView get(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    Attachment attachment = find(owner, id);
    return AttachmentView.of(attachment, urls::preview)
        .withAudit(repository.audit(attachment.id()));
  }

  @Get("/{id}/download")
  public Views.Download download(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    Attachment attachment = find(owner, id);
    if (attachment.status() != AttachmentStatus.RELEASED) {
      throw Refusal.conflict(
          "not-released",
          "the attachment is "
              + attachment.status()
              + "; it can be downloaded once it is RELEASED");
    }
    // served as the declared type when the bytes showed it (the only way the pipeline releases),
    // else (an
    // operator's release of a mismatch, or a release from before types were checked) as bytes no
    // browser renders
    String servedAs =
        ContentTypes.check(attachment.contentType(), attachment.detectedContentType()).servedAs();
    return urls.download(attachment.objectKey(), attachment.filename(), servedAs);
  }

  @Get
  public Views.Listing list(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @QueryValue @Nullable String status,
      @QueryValue @Nullable String limit,
      @QueryValue @Nullable String cursor) {
    AttachmentStatus only = Params.statusFilter(status);
    int size = DEFAULT_PAGE;
    if (limit != null) {
      try {
        size = Integer.parseInt(limit.trim());
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 1 || size > LARGEST_PAGE) {
        throw Refusal.invalid("limit must be a whole number from 1 to " + LARGEST_PAGE);
      }
    }
    Page page;
    try {
      page = repository.list(owner, only, size, cursor == null || cursor.isBlank() ? null : cursor);
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid(e.getMessage());
    }
    return new Views.Listing(
        page.items().stream().map(a -> AttachmentView.of(a, urls::preview)).toList(),
        page.nextCursor());
  }

  /** The owner's attachment; another owner's, or one that does not exist, is simply not found. */
  private Attachment find(String owner, String id) {
    return repository
        .find(owner, Params.id(id, "no attachment " + id))
        .orElseThrow(() -> Refusal.notFound("no attachment " + id));
  }
}
