package dev.attachments.workflow;

/**
 * Where an attachment is in its life; the same words in the API, the metadata store and the
 * Temporal UI.
 */
public enum AttachmentStatus {
  AWAITING_UPLOAD,
  PROCESSING,
  RELEASED,
  QUARANTINED,
  REJECTED,
  EXPIRED,
  FAILED,
  /**
   * Its file is gone for good: kept in quarantine past the retention, then deleted (audited); the
   * row stays as the record of it.
   */
  DELETED;

  /** A final status never changes again on its own; only an operator's reprocess moves it. */
  public boolean isFinal() {
    return this != AWAITING_UPLOAD && this != PROCESSING;
  }
}
