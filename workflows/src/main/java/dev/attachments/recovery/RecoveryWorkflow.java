package dev.attachments.recovery;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One run for the whole service ({@link #WORKFLOW_ID}), for ever: every {@code every} it pages
 * through all attachments still waiting or in processing and starts again those whose workflow is
 * gone; a run an operator terminated is not started again but marked FAILED, so that it shows in
 * the operators' listing and can be reprocessed. Hosted by the API, which starts attachment
 * workflows, on its own task queue.
 */
@WorkflowInterface
public interface RecoveryWorkflow {
  String WORKFLOW_ID = "attachments-recovery";

  @WorkflowMethod
  void reconcile(RecoveryRequest request);

  /**
   * Go through the attachments now rather than at the end of the wait (an operator's request; an
   * API that starts runs a round of its own instead).
   */
  @SignalMethod
  void reconcileNow();
}
