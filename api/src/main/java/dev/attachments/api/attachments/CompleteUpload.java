package dev.attachments.api.attachments;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.api.limits.RequestRates;
import dev.attachments.api.s3.MultipartUploads;
import dev.attachments.api.temporal.AttachmentWorkflows;
import dev.attachments.metadata.Attachment;
import dev.attachments.storage.S3Objects;
import dev.attachments.tracing.Tracing;
import dev.attachments.workflow.AttachmentStatus;
import jakarta.inject.Singleton;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Use case: the client says its file is uploaded. A multipart upload is completed from the client's
 * part list; a single PUT must have arrived; then the attachment's workflow is told. Idempotent: a
 * second call answers the status it has reached.
 */
@Singleton
public class CompleteUpload {
  private final OwnedAttachments attachments;
  private final AttachmentWorkflows workflows;
  private final MultipartUploads multipart;
  private final S3Client s3;
  private final ApiSettings.Buckets buckets;
  private final RequestRates rates;

  public CompleteUpload(
      OwnedAttachments attachments,
      AttachmentWorkflows workflows,
      MultipartUploads multipart,
      S3Client s3,
      ApiSettings.Buckets buckets,
      RequestRates rates) {
    this.rates = rates;
    this.attachments = attachments;
    this.workflows = workflows;
    this.multipart = multipart;
    this.s3 = s3;
    this.buckets = buckets;
  }

  /**
   * @param parts the parts and their ETags, for a multipart upload; null otherwise
   */
  public Views.Completed complete(String owner, String id, List<MultipartUploads.Part> parts) {
    rates.charge(owner, RequestRates.Kind.COMPLETE);
    Attachment attachment = attachments.find(owner, id);
    if (attachment.status() == AttachmentStatus.EXPIRED) {
      throw Refusal.conflict(
          "upload-expired",
          "the upload expired at " + attachment.uploadExpiresAt() + "; create a new attachment");
    }
    if (attachment.status() == AttachmentStatus.DELETED) {
      throw Refusal.conflict(
          "deleted", "the attachment was deleted; its upload is cancelled: create a new one");
    }
    if (attachment.status() == AttachmentStatus.AWAITING_UPLOAD) {
      if (!uploaded(attachment)) {
        if (attachment.multipart() != null) {
          multipart.complete(attachment, parts);
        } else {
          Attachment now = attachments.find(owner, id);
          if (now.status() == AttachmentStatus.AWAITING_UPLOAD) {
            throw Refusal.conflict(
                "upload-missing",
                "no file has arrived for this attachment yet: PUT it to the upload URL first");
          }
          attachment = now;
        }
      }
      if (attachment.status() == AttachmentStatus.AWAITING_UPLOAD) {
        Attachment completed = attachment;
        Tracing.inAttachmentTrace(
            completed.id().toString(),
            "complete attachment",
            () -> workflows.uploadCompleted(completed));
      }
    }
    return new Views.Completed(
        attachment.id().toString(), attachments.find(owner, id).status().name());
  }

  private boolean uploaded(Attachment attachment) {
    return S3Objects.headOrNull(s3, buckets.incoming(), attachment.objectKey()) != null;
  }
}
