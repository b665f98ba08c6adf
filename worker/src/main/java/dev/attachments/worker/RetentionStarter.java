package dev.attachments.worker;

import dev.attachments.retention.RetentionRequest;
import dev.attachments.retention.RetentionWorkflow;
import dev.attachments.workflow.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes sure the one retention workflow runs, and asks it for a sweep, as each worker starts
 * (signal-with-start); it runs on the main queue, wherever a worker takes it.
 */
@Component
class RetentionStarter {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionStarter.class);

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
    Thread starter = new Thread(this::askForASweep, "retention-start");
    starter.setDaemon(true);
    starter.start();
  }

  private void askForASweep() {
    for (Duration wait = Duration.ofSeconds(1); ; wait = wait.multipliedBy(2)) {
      try {
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
                            + " are deleted (audited, the attachment DELETED); incoming objects and"
                            + " multipart uploads older than "
                            + settings.incomingFor()
                            + " that no unfinished attachment needs are deleted.")
                    .build());
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(
            workflow::keep,
            new RetentionRequest(
                settings.every(),
                settings.quarantineFor(),
                settings.incomingFor(),
                settings.pageSize()));
        request.add(workflow::sweepNow);
        client.signalWithStart(request);
        return;
      } catch (RuntimeException e) {
        LOG.warn("could not start the retention workflow; trying again in {}", wait, e);
        try {
          Thread.sleep(Math.min(wait.toMillis(), 60_000));
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }
}
