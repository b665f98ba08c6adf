package dev.attachments.retention;

import dev.attachments.workflow.TaskQueues;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.spring.boot.WorkflowImpl;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * A sweep is three loops of pages (quarantine, incoming objects, incoming multipart uploads), each
 * cut-off taken from the workflow's clock at the sweep's start; continue-as-new after each sweep
 * keeps the history short.
 */
@WorkflowImpl(taskQueues = TaskQueues.MAIN_PLACEHOLDER)
public class RetentionWorkflowImpl implements RetentionWorkflow {
  private final RetentionActivities activities =
      Workflow.newActivityStub(
          RetentionActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(5))
              .setHeartbeatTimeout(Duration.ofSeconds(30))
              .setSummary("Delete what is kept past its time")
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(1))
                      .setMaximumInterval(Duration.ofMinutes(5))
                      .build())
              .build());

  private boolean requested;

  @Override
  public void keep(RetentionRequest request) {
    Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    Instant quarantinedBefore = now.minus(request.quarantineFor());
    Instant incomingBefore = now.minus(request.incomingFor());
    String cursor = null;
    do {
      cursor = activities.purgeQuarantined(quarantinedBefore, cursor, request.pageSize()).next();
    } while (cursor != null);
    do {
      cursor = activities.sweepIncoming(incomingBefore, cursor, request.pageSize()).next();
    } while (cursor != null);
    do {
      cursor = activities.abortStaleUploads(incomingBefore, cursor, request.pageSize()).next();
    } while (cursor != null);
    Workflow.await(request.every(), () -> requested);
    Workflow.continueAsNew(request);
  }

  @Override
  public void sweepNow() {
    requested = true;
  }
}
