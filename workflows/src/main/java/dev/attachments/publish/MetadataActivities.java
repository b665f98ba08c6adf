package dev.attachments.publish;

import dev.attachments.workflow.AttachmentState;
import io.temporal.activity.ActivityInterface;

/**
 * The metadata store that clients read through the API; the workflow publishes every step to it.
 */
@ActivityInterface
public interface MetadataActivities {
  /** Writes the attachment's current state; idempotent, and never moves a final status back. */
  void publish(AttachmentState state);
}
