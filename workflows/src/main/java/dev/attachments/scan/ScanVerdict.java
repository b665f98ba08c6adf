package dev.attachments.scan;

/** The scanner's word on a file. Only CLEAN is ever released. */
public enum ScanVerdict {
  CLEAN,
  INFECTED,
  /**
   * Over the scanner's limits, encrypted, or a scanner error about this file: never released by
   * default.
   */
  UNSCANNABLE
}
