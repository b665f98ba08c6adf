package dev.attachments.webhook;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Publishing events to owners' webhook endpoints. */
@ActivityInterface
public interface WebhookActivities {
  /** Failure type of a receiver's final refusal (a 4xx other than 429): no retry. */
  String REFUSED = "WebhookRefused";

  /** Hands the event to the attachment's delivery workflow, starting it when needed; idempotent. */
  void emit(Event event);

  /**
   * Records the event with its payload (the attachment as the API shows it now), once; answers the
   * ids of the owner's endpoints subscribed to its type.
   */
  List<String> record(Event event);

  /** POSTs the recorded event to one endpoint, signed with its secret; records the attempt. */
  void deliver(String eventId, String endpointId);
}
