package dev.attachments.api.attachments;

import dev.attachments.api.limits.RequestRates;
import dev.attachments.api.temporal.AttachmentWorkflows;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.OperatorActions;
import jakarta.inject.Singleton;

/**
 * Use case: the owner deletes an attachment, whatever its status. It is DELETED at once, in one
 * transaction with its audit record, so nothing is served from then on whatever its workflow is
 * doing; then the workflow is told (or run again, when it closed) to cancel the upload or delete
 * the file from every bucket with its previews and Cloudinary assets, and to send {@code
 * attachment.deleted}. Idempotent: a repeated DELETE answers the same and tells the workflow again,
 * for a first one whose signal did not get through.
 */
@Singleton
public class DeleteAttachment {
  /** What the attachment's status says, and its audit record, after its owner deleted it. */
  static final String REASON = "deleted by its owner";

  private final OwnedAttachments attachments;
  private final OperatorActions actions;
  private final AttachmentWorkflows workflows;
  private final ReadAttachments reads;
  private final RequestRates rates;

  public DeleteAttachment(
      OwnedAttachments attachments,
      OperatorActions actions,
      AttachmentWorkflows workflows,
      ReadAttachments reads,
      RequestRates rates) {
    this.attachments = attachments;
    this.actions = actions;
    this.workflows = workflows;
    this.reads = reads;
    this.rates = rates;
  }

  public AttachmentView delete(String owner, String id) {
    rates.charge(owner, RequestRates.Kind.DELETE);
    Attachment attachment = attachments.find(owner, id);
    OperatorActions.AuditEntry deletion = actions.deleteByOwner(attachment.id(), owner, REASON);
    workflows.delete(attachment, deletion);
    return reads.get(owner, id);
  }
}
