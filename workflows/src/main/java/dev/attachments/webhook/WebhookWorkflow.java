package dev.attachments.webhook;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Delivers one attachment's events to its owner's endpoints, in the order they happened, each endpoint on its
 * own: a dead receiver holds up nothing but its own later events. Workflow id {@code webhooks-<attachmentId>}.
 */
@WorkflowInterface
public interface WebhookWorkflow {
  String ID_PREFIX = "webhooks-";

  /** Runs until no event has come for a while; a later event starts it again. */
  @WorkflowMethod
  void deliverEvents(String attachmentId);

  @SignalMethod
  void eventHappened(Event event);

  /** Delivers one recorded event to one endpoint again, as an operator or owner asked. */
  @SignalMethod
  void redeliver(String eventId, String endpointId);
}
