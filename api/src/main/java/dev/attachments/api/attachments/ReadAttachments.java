package dev.attachments.api.attachments;

import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.s3.Presigned;
import dev.attachments.api.s3.PresignedUrls;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.metadata.Page;
import dev.attachments.scan.ContentTypes;
import dev.attachments.workflow.AttachmentStatus;
import jakarta.inject.Singleton;

/** Use cases: read one attachment (with its audit), list the owner's, download a released one. */
@Singleton
public class ReadAttachments {
  static final int DEFAULT_PAGE = 20;
  static final int LARGEST_PAGE = 100;

  private final OwnedAttachments attachments;
  private final Attachments repository;
  private final OperatorActions actions;
  private final PresignedUrls urls;

  public ReadAttachments(
      OwnedAttachments attachments,
      Attachments repository,
      OperatorActions actions,
      PresignedUrls urls) {
    this.attachments = attachments;
    this.repository = repository;
    this.actions = actions;
    this.urls = urls;
  }

  public AttachmentView get(String owner, String id) {
    Attachment attachment = attachments.find(owner, id);
    return AttachmentView.of(attachment, urls::preview).withAudit(actions.audit(attachment.id()));
  }

  /**
   * @param limit as the client sent it, or null for the default page
   */
  public Views.Listing list(String owner, String status, String limit, String cursor) {
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

  /** A short-lived URL of the released file, under its name, as a type no browser misreads. */
  public Views.Download download(String owner, String id) {
    Attachment attachment = attachments.find(owner, id);
    if (attachment.status() != AttachmentStatus.RELEASED) {
      throw Refusal.conflict(
          "not-released",
          "the attachment is "
              + attachment.status()
              + "; it can be downloaded once it is RELEASED");
    }
    // served as the declared type when the bytes showed it (the only way the pipeline releases),
    // else (an operator's release of a mismatch, or a release from before types were checked) as
    // bytes no browser renders
    String servedAs =
        ContentTypes.check(attachment.contentType(), attachment.detectedContentType()).servedAs();
    Presigned get = urls.download(attachment.objectKey(), attachment.filename(), servedAs);
    return new Views.Download(get.url(), get.expiresAt());
  }
}
