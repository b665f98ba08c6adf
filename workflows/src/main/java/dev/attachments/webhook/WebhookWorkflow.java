package dev.attachments.webhook;

import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Delivers one attachment's events to its owner's endpoints, in the order they happened, each
 * endpoint on its own: a dead receiver holds up nothing but its own later events. Workflow id
 * {@code webhooks-<attachmentId>}.
 */
@WorkflowInterface
public interface WebhookWorkflow {
  String ID_PREFIX = "webhooks-";

  /** How every caller starts it (signal-with-start): one per attachment, again after it closed. */
  static WorkflowOptions startOptions(String attachmentId, String taskQueue) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(ID_PREFIX + attachmentId)
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("Webhook events of attachment " + attachmentId)
        .build();
  }

  /** Runs until no event has come for a while; a later event starts it again. */
  @WorkflowMethod
  void deliverEvents(String attachmentId);

  @SignalMethod
  void eventHappened(Event event);

  /** Delivers one recorded event to one endpoint again, as an operator or owner asked. */
  @SignalMethod
  void redeliver(String eventId, String endpointId);
}
