package dev.attachments.scan;

import io.temporal.activity.ActivityInterface;

/** The virus scanner. Runs on the scan task queue, next to clamd. */
@ActivityInterface
public interface ScannerActivities {
  /**
   * Streams the incoming object through the scanner; retries while the scanner is unreachable. Only
   * workflows started before uploads were held call it.
   */
  ScanResult scan(String objectKey);

  /**
   * Streams the held object, that version and no other ({@code If-Match} its ETag), through the
   * scanner; the result names the ETag it is about.
   */
  ScanResult scanHeld(String objectKey, String etag);
}
