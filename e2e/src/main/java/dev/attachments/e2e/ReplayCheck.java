package dev.attachments.e2e;

import dev.attachments.webhook.WebhookWorkflowImpl;
import dev.attachments.workflow.AttachmentWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.WorkflowReplayer;

/**
 * Before a deploy: fetches the histories of these workflow ids from a running Temporal server and
 * replays them against the workflow code of this checkout. A non-deterministic change fails here
 * instead of in production. {@code scripts/replay <temporal host:port> <workflow id>...}
 */
public final class ReplayCheck {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: replay <temporal host:port> <workflow id>...");
      System.exit(2);
    }
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(args[0]).build());
    int failed = 0;
    try {
      WorkflowClient client =
          WorkflowClient.newInstance(
              service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
      for (int i = 1; i < args.length; i++) {
        WorkflowExecutionHistory history = client.fetchHistory(args[i]);
        try {
          WorkflowReplayer.replayWorkflowExecution(
              history, AttachmentWorkflowImpl.class, WebhookWorkflowImpl.class);
          System.out.printf(
              "%s: %d events replay on this code%n", args[i], history.getEvents().size());
        } catch (Exception e) {
          failed++;
          System.out.printf("%s: DOES NOT REPLAY: %s%n", args[i], e.getMessage());
        }
      }
    } finally {
      service.shutdown();
    }
    System.out.printf("%d passed, %d failed%n", args.length - 1 - failed, failed);
    System.exit(failed == 0 ? 0 : 1);
  }

  private ReplayCheck() {}
}
