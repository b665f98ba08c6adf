package dev.attachments.preview;

import java.util.Map;

/**
 * The previews made for one attachment.
 *
 * @param urls preview name (e.g. {@code thumbnail}) to URL
 * @param reason why there is none, when FAILED or UNSUPPORTED
 * @param pages a document's page count, when known
 */
public record Preview(
    PreviewStatus status, Map<String, String> urls, String reason, Integer pages) {
  public static Preview of(PreviewStatus status, String reason) {
    return new Preview(status, Map.of(), reason, null);
  }

  public static Preview ready(Map<String, String> urls) {
    return new Preview(PreviewStatus.READY, urls, null, null);
  }

  /** The same previews, now {@code status}: how an asynchronous preview ends. */
  public Preview settled(PreviewStatus newStatus, String newReason) {
    return new Preview(
        newStatus, newStatus == PreviewStatus.READY ? urls : Map.of(), newReason, pages);
  }
}
