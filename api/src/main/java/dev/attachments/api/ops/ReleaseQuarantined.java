package dev.attachments.api.ops;

import dev.attachments.api.Refusal;
import dev.attachments.api.temporal.AttachmentWorkflows;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import jakarta.inject.Singleton;

/**
 * Use case: an operator releases a quarantined attachment judged a false positive. A reason is
 * required; who, when and why stay on the attachment for its owner to see. The attachment's
 * workflow runs again to move the file, make previews and tell the owner's webhooks.
 */
@Singleton
public class ReleaseQuarantined {
  /**
   * A reason is kept in the audit and shown in the Temporal UI: a few sentences, not a document.
   */
  static final int MAX_REASON = 1000;

  private final Attachments attachments;
  private final OperatorActions actions;
  private final AttachmentWorkflows workflows;

  public ReleaseQuarantined(
      Attachments attachments, OperatorActions actions, AttachmentWorkflows workflows) {
    this.attachments = attachments;
    this.actions = actions;
    this.workflows = workflows;
  }

  /**
   * @return the audit entry of the release, whose reason is trimmed
   */
  public OperatorActions.AuditEntry release(String operator, String id, String reason) {
    if (reason == null || reason.isBlank()) {
      throw Refusal.invalid("a release needs {\"reason\":\"...\"}: why the verdict was wrong");
    }
    if (reason.length() > MAX_REASON) {
      throw Refusal.invalid(
          "the reason is " + reason.length() + " characters; at most " + MAX_REASON);
    }
    Attachment attachment = Reprocess.findAny(attachments, id);
    OperatorActions.AuditEntry audit =
        actions
            .releaseQuarantined(attachment.id(), operator, reason.trim())
            .orElseThrow(
                () ->
                    Refusal.conflict(
                        "not-quarantined",
                        "the attachment is "
                            + attachment.status()
                            + "; only QUARANTINED ones are released by hand"));
    workflows.rerun(attachment, audit);
    return audit;
  }
}
