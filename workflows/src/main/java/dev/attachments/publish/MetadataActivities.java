package dev.attachments.publish;

import dev.attachments.webhook.Event;
import dev.attachments.workflow.AttachmentState;
import io.temporal.activity.ActivityInterface;

/**
 * The metadata store that clients read through the API; the workflow publishes every step to it.
 */
@ActivityInterface
public interface MetadataActivities {
  /**
   * Failure type of an announcement whose state was written and whose event could not be handed on
   * (retried like any other failure): what it published stands.
   */
  String HAND_OFF_FAILED = "EventHandOffFailed";

  /** Writes the attachment's current state; idempotent, and never moves a final status back. */
  void publish(AttachmentState state);

  /**
   * Publishes the state, then hands the event of the change it records (null when it records none)
   * to webhook delivery: the one step the workflow takes for each change. Both halves are
   * idempotent, so a retry repeats neither in effect.
   */
  void announce(AttachmentState state, Event event);
}
