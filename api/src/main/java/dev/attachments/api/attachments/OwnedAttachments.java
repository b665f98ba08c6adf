package dev.attachments.api.attachments;

import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.workflow.AttachmentStatus;
import jakarta.inject.Singleton;

/** The calling owner's attachments as the use cases look them up, and the refusals they share. */
@Singleton
public class OwnedAttachments {
  private final Attachments repository;

  public OwnedAttachments(Attachments repository) {
    this.repository = repository;
  }

  /** The owner's attachment; another owner's, or one that does not exist, is simply not found. */
  public Attachment find(String owner, String id) {
    return repository
        .find(owner, Params.id(id, "no attachment " + id))
        .orElseThrow(() -> Refusal.notFound("no attachment " + id));
  }

  /**
   * The attachment, as long as its upload is open. Checked again after presigning: a URL handed out
   * is then older than the moment the workflow stopped taking uploads, so it expires before the
   * workflow sweeps the incoming bucket.
   */
  public Attachment open(String owner, String id) {
    Attachment attachment = find(owner, id);
    if (attachment.status() != AttachmentStatus.AWAITING_UPLOAD) {
      throw closed(attachment);
    }
    return attachment;
  }

  /** The open upload of a file that uploads in parts. */
  public Attachment openMultipart(String owner, String id) {
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

  static Refusal closed(Attachment attachment) {
    return Refusal.conflict(
        "upload-closed",
        "the attachment is " + attachment.status() + "; its upload is no longer open");
  }
}
