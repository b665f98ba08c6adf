package dev.attachments.preview;

import java.util.Map;

/**
 * The previews made for one attachment.
 *
 * @param urls preview name (e.g. {@code thumbnail}) to URL
 * @param reason why there is none, when FAILED or UNSUPPORTED
 */
public record Preview(PreviewStatus status, Map<String, String> urls, String reason) {
  public static Preview of(PreviewStatus status, String reason) {
    return new Preview(status, Map.of(), reason);
  }
}
