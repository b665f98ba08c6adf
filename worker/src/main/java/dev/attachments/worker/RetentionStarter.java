package dev.attachments.worker;

import dev.attachments.retention.RetentionRequest;
import dev.attachments.retention.RetentionWorkflow;
import dev.attachments.workflow.ServiceWorkflows;
import dev.attachments.workflow.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes sure the one retention workflow runs, and asks it for a sweep, as each worker starts
 * (signal-with-start); it runs on the main queue, wherever a worker takes it.
 */
@Component
@WorkerRoles.Serving("main")
class RetentionStarter {
  private final WorkflowClient client;
  private final WorkerSettings.Retention settings;
  private final String mainQueue;

  RetentionStarter(
      WorkflowClient client,
      WorkerSettings settings,
      @Value(TaskQueues.MAIN_PLACEHOLDER) String mainQueue) {
    this.client = client;
    this.settings = settings.retention();
    this.mainQueue = mainQueue;
  }

  @EventListener(ApplicationReadyEvent.class)
  void workersStarted() {
    ServiceWorkflows.signalWithStart(
        client,
        "retention",
        request -> {
          RetentionWorkflow workflow =
              client.newWorkflowStub(
                  RetentionWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(RetentionWorkflow.WORKFLOW_ID)
                      .setTaskQueue(mainQueue)
                      .setWorkflowIdReusePolicy(
                          WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                      .setStaticSummary("Retention: quarantine and incoming kept to their time")
                      .setStaticDetails(
                          "Every "
                              + settings.every()
                              + ": quarantined files older than "
                              + settings.quarantineFor()
                              + " are deleted (audited, the attachment DELETED); incoming objects"
                              + " and multipart uploads older than "
                              + settings.incomingFor()
                              + " that no unfinished attachment needs are deleted.")
                      .build());
          request.add(
              workflow::keep,
              new RetentionRequest(
                  settings.every(),
                  settings.quarantineFor(),
                  settings.incomingFor(),
                  settings.pageSize()));
          request.add(workflow::sweepNow);
        },
        () -> false);
  }
}
