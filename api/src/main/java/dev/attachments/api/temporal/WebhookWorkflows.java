package dev.attachments.api.temporal;

import dev.attachments.api.ApiSettings;
import dev.attachments.webhook.WebhookWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;

/**
 * Signals the one webhook delivery workflow each attachment has, starting it when it is not
 * running.
 */
@Singleton
public class WebhookWorkflows {
  private final WorkflowClient client;
  private final String taskQueue;

  public WebhookWorkflows(WorkflowClient client, ApiSettings.Temporal temporal) {
    this.client = client;
    this.taskQueue = temporal.webhooksQueue();
  }

  /** The event goes to the endpoint again, after the events already queued for it. */
  public void redeliver(String attachmentId, String eventId, String endpointId) {
    WebhookWorkflow workflow =
        client.newWorkflowStub(
            WebhookWorkflow.class, WebhookWorkflow.startOptions(attachmentId, taskQueue));
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::deliverEvents, attachmentId);
    request.add(workflow::redeliver, eventId, endpointId);
    client.signalWithStart(request);
  }
}
