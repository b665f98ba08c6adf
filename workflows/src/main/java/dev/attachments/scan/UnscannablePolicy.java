package dev.attachments.scan;

/** What becomes of a file the scanner cannot scan whole. Neither ever releases it. */
public enum UnscannablePolicy {
  /** Quarantine it, for operators to look at. */
  HOLD,
  /** Reject it and delete the upload. */
  REJECT
}
