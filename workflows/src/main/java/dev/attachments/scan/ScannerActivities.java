package dev.attachments.scan;

import io.temporal.activity.ActivityInterface;

/** The virus scanner. Runs on the scan task queue, next to clamd. */
@ActivityInterface
public interface ScannerActivities {
  /** Streams the incoming object through the scanner; retries while the scanner is unreachable. */
  ScanResult scan(String objectKey);
}
