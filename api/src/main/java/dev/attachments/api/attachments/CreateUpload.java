package dev.attachments.api.attachments;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.api.limits.RequestRates;
import dev.attachments.api.s3.MultipartUploads;
import dev.attachments.api.s3.PresignedUrls;
import dev.attachments.api.temporal.AttachmentWorkflows;
import dev.attachments.api.tokens.UploadTokenScope;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.NewAttachment;
import dev.attachments.metadata.UploadTokens.UploadToken;
import dev.attachments.tracing.Tracing;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentStatus;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Use case: a new attachment awaiting its upload. The checked request is recorded (once per
 * Idempotency-Key), a multipart upload opened when the file is large, the attachment's workflow
 * started, and the client told how to upload.
 */
@Singleton
public class CreateUpload {
  private final Attachments repository;
  private final UploadPolicy policy;
  private final AttachmentWorkflows workflows;
  private final MultipartUploads multipart;
  private final UploadUrls uploadUrls;
  private final ApiSettings.Uploads settings;
  private final Attachments.Limits limits;
  private final RequestRates rates;

  private static final String SPENT =
      "the upload token has made all the uploads it allows, or has expired";

  /** When an owner over its limits hears it may try again. */
  static final java.time.Duration RETRY_OVER_LIMIT = java.time.Duration.ofSeconds(30);

  public CreateUpload(
      Attachments repository,
      UploadPolicy policy,
      AttachmentWorkflows workflows,
      MultipartUploads multipart,
      UploadUrls uploadUrls,
      ApiSettings.Uploads settings,
      RequestRates rates) {
    this.repository = repository;
    this.policy = policy;
    this.workflows = workflows;
    this.multipart = multipart;
    this.uploadUrls = uploadUrls;
    this.settings = settings;
    this.limits = new Attachments.Limits(settings.maxPending(), settings.maxBytesInFlight());
    this.rates = rates;
  }

  /**
   * @param token the upload token the request came with, whose limits it keeps and one of whose
   *     uploads it takes; null with the owner's key
   * @param idempotencyKey null, or the client's key: the same key and request answer the same
   *     attachment
   */
  public Views.Created create(
      String owner, UploadToken token, String idempotencyKey, CreateAttachment body) {
    CreateAttachment request = policy.check(body);
    if (token != null) {
      UploadTokenScope.allowsUpload(token, request.size(), request.contentType());
      if (idempotencyKey == null && token.uploadsUsed() >= token.maxUploads()) {
        // spent as of this request's authentication: refused before S3 opens anything (a create
        // with a key may be a replay, which the store answers)
        throw Refusal.of(Refusal.Kind.FORBIDDEN, "token-spent", SPENT);
      }
    }
    // a token's creates have their own bucket: a browser holding one cannot use up its owner's
    rates.charge(token == null ? owner : "upload-token:" + token.id(), RequestRates.Kind.CREATE);
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
      throw Refusal.invalid("Idempotency-Key must be 1 to 255 characters");
    }
    if (token != null) {
      if (idempotencyKey != null) {
        // a token's keys are its own: never the answer to the owner's, or another token's, key
        idempotencyKey = "upload-token:" + token.id() + ":" + idempotencyKey;
      }
    }
    Instant now = Instant.now();
    Instant expiresAt = now.plus(PresignedUrls.clamp(settings.window()));
    UUID id = UUID.randomUUID();
    String objectKey = AttachmentRequest.objectKey(owner, id.toString());
    boolean inParts = request.size() > settings.multipartThreshold();
    String uploadId = inParts ? multipart.open(objectKey, request.contentType()) : null;
    Attachments.Created created;
    try {
      created =
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
                  inParts ? MultipartUploads.partSize(request.size()) : null,
                  token == null ? null : token.id()),
              limits);
    } catch (Attachments.OverLimit over) {
      if (uploadId != null) {
        multipart.abort(objectKey, uploadId);
      }
      // uploads finish, or their window closes: the limit frees up as they do
      throw Refusal.tooMany("too-many-uploads", over.getMessage(), RETRY_OVER_LIMIT);
    } catch (Attachments.TokenSpent spent) {
      if (uploadId != null) {
        multipart.abort(objectKey, uploadId);
      }
      throw Refusal.of(Refusal.Kind.FORBIDDEN, "token-spent", SPENT);
    }
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
      return new Views.Created(attachment.id().toString(), attachment.status().name(), null);
    }
    // on a retried create too: the workflow may be what the first try did not get to
    Tracing.inAttachmentTrace(
        attachment.id().toString(), "create attachment", () -> workflows.start(attachment));
    return new Views.Created(
        attachment.id().toString(), attachment.status().name(), uploadUrls.upload(attachment));
  }

  private static boolean sameRequest(Attachment existing, CreateAttachment request) {
    return existing.filename().equals(request.filename())
        && existing.contentType().equals(request.contentType())
        && existing.size() == request.size()
        && Objects.equals(existing.declaredSha256(), request.sha256());
  }
}
