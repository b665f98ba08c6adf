package dev.attachments.workflow;

/**
 * What an operator asked of a run of an attachment's workflow that the upload did not start itself.
 *
 * @param auditId the audit record of the action; the run's webhook events are named after it, so
 *     that a second reprocess reports its own outcome while a retried step still names the same
 *     event
 * @param operator who asked, as named in ATTACHMENTS_OPS_KEYS (for a deletion, the owner)
 * @param reason why, in the operator's words
 */
public record OperatorAction(String auditId, Kind kind, String operator, String reason) {

  public enum Kind {
    /** A FAILED attachment processed again from the step that failed (or from the scan). */
    REPROCESS,
    /**
     * A quarantined attachment released as a false positive: copied to the released bucket, then
     * previewed.
     */
    RELEASE,
    /**
     * Its owner deleted the attachment after its workflow closed: the file is deleted from every
     * bucket with its previews (and its workflow's run, if one is open, is told by a signal).
     */
    DELETE
  }
}
