package dev.attachments.retention;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One run for the whole service ({@link #WORKFLOW_ID}), for ever, on the worker's main queue: every
 * {@code every} it deletes the files kept in quarantine past their retention (each deletion
 * audited, the row kept as DELETED) and sweeps from the incoming bucket what is older than the
 * upload window and no unfinished attachment's, including multipart uploads never completed.
 */
@WorkflowInterface
public interface RetentionWorkflow {
  String WORKFLOW_ID = "attachments-retention";

  @WorkflowMethod
  void keep(RetentionRequest request);

  /** Sweep now rather than at the end of the wait. */
  @SignalMethod
  void sweepNow();
}
