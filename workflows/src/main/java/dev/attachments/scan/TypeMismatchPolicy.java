package dev.attachments.scan;

/**
 * What becomes of a clean file whose bytes are not what its client declared. Neither ever releases
 * it.
 */
public enum TypeMismatchPolicy {
  /** Reject it, with both types in the reason, and delete the upload. */
  REJECT,
  /** Quarantine it, for operators to look at (and release, served as what its bytes are). */
  HOLD
}
