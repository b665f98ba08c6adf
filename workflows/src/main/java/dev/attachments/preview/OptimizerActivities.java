package dev.attachments.preview;

import io.temporal.activity.ActivityInterface;

/** Makes web previews of released attachments. Runs on the media task queue. */
@ActivityInterface
public interface OptimizerActivities {
  Preview optimize(PreviewRequest request);

  /**
   * Deletes every preview that was or may have been made of the attachment (a deleted one), and
   * what the preview service keeps of it; idempotent, and nothing to do where none was made.
   */
  void deletePreviews(PreviewRequest request);
}
