package dev.attachments.preview;

/** Where the web preview of a released attachment stands. */
public enum PreviewStatus {
  PENDING,
  READY,
  FAILED,
  UNSUPPORTED,
  NOT_CONFIGURED
}
