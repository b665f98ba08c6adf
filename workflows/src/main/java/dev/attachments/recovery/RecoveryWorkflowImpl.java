package dev.attachments.recovery;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * A round is a loop of pages; the history is cut with continue-as-new after each round and every
 * {@link #PAGES_PER_RUN} pages, so that it stays small however many attachments there are.
 */
public class RecoveryWorkflowImpl implements RecoveryWorkflow {
  static final int PAGES_PER_RUN = 50;

  private final RecoveryActivities activities =
      Workflow.newActivityStub(
          RecoveryActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(5))
              // an API that stops while it works the page hands it to another within a minute and
              // a half; one attachment's calls to Temporal (describe, history, start, or a rerun
              // that waits 30 s for the previous run) stay under that
              .setHeartbeatTimeout(Duration.ofSeconds(90))
              .setSummary("Repair a page of unfinished attachments")
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(1))
                      .setMaximumInterval(Duration.ofMinutes(1))
                      .build())
              .build());

  private boolean requested;

  @Override
  public void reconcile(RecoveryRequest request) {
    String cursor = request.after();
    for (int page = 0; page < PAGES_PER_RUN; page++) {
      RecoveryPage done = activities.reconcilePage(cursor, request.pageSize());
      cursor = done.next();
      if (cursor == null) {
        Workflow.await(request.every(), () -> requested);
        Workflow.continueAsNew(request.from(null));
        return;
      }
    }
    Workflow.continueAsNew(request.from(cursor));
  }

  @Override
  public void reconcileNow() {
    requested = true;
  }
}
