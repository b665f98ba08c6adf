package dev.attachments.thumbnails;

import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.workflow.TaskQueues;
import io.temporal.spring.boot.ActivityImpl;

/**
 * Stands in for the optimizer when no CLOUDINARY_URL is set: the preview step says so and moves on.
 */
@ActivityImpl(taskQueues = TaskQueues.MEDIA_PLACEHOLDER)
public class UnconfiguredOptimizer implements OptimizerActivities {
  @Override
  public Preview optimize(PreviewRequest request) {
    return Preview.of(PreviewStatus.NOT_CONFIGURED, "no CLOUDINARY_URL is configured");
  }

  /** None was made. */
  @Override
  public void deletePreviews(PreviewRequest request) {}
}
