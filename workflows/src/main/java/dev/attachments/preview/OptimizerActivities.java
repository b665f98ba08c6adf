package dev.attachments.preview;

import io.temporal.activity.ActivityInterface;

/** Makes web previews of released attachments. Runs on the media task queue. */
@ActivityInterface
public interface OptimizerActivities {
  Preview optimize(PreviewRequest request);
}
