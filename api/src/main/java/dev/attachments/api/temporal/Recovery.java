package dev.attachments.api.temporal;

import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentStatuses;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.recovery.RecoveryActivities;
import dev.attachments.recovery.RecoveryPage;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery workflow's one activity: finds attachments still waiting or in processing whose
 * workflow is not running (the embedded server lost its state, a crash between the row and the
 * start, or between an operator's action and its run) and starts it again, so that nothing stays
 * stuck silently. A restarted upload run looks for the upload itself and carries on from there; an
 * operator's release or reprocess is carried out as it was asked. A run terminated by hand (in the
 * Temporal UI or CLI) after the last operator action is respected: the attachment is published
 * FAILED with the termination's reason, for operators to reprocess if they wish.
 */
@Singleton
public class Recovery implements RecoveryActivities {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  private final Attachments repository;
  private final OperatorActions actions;
  private final AttachmentStatuses statuses;
  private final AttachmentWorkflows workflows;

  public Recovery(
      Attachments repository,
      OperatorActions actions,
      AttachmentStatuses statuses,
      AttachmentWorkflows workflows) {
    this.actions = actions;
    this.repository = repository;
    this.statuses = statuses;
    this.workflows = workflows;
  }

  @Override
  public RecoveryPage reconcilePage(String after, int limit) {
    return repair(after, limit, progress -> Activity.getExecutionContext().heartbeat(progress));
  }

  /**
   * One whole round, here and now, outside any workflow: what an API does as it starts, so that
   * what a lost run left behind is repaired whatever state the recovery workflow's tasks are in.
   *
   * @return how many attachments were repaired
   */
  public int roundNow(int pageSize) {
    int repaired = 0;
    String cursor = null;
    do {
      RecoveryPage page = repair(cursor, pageSize, progress -> {});
      repaired += page.restarted() + page.markedFailed();
      cursor = page.next();
    } while (cursor != null);
    return repaired;
  }

  private RecoveryPage repair(String after, int limit, Consumer<String> heartbeat) {
    List<Attachment> page =
        repository.unfinished(after == null ? null : UUID.fromString(after), limit);
    int restarted = 0;
    int failed = 0;
    for (Attachment attachment : page) {
      heartbeat.accept(attachment.id().toString());
      Optional<AttachmentWorkflows.Run> run = workflows.latestRun(attachment.id().toString());
      if (run.isPresent() && run.get().isRunning()) {
        continue;
      }
      List<OperatorActions.AuditEntry> audit =
          attachment.status() == AttachmentStatus.PROCESSING
              ? actions.audit(attachment.id())
              : List.of();
      OperatorActions.AuditEntry lastAction = audit.isEmpty() ? null : audit.get(audit.size() - 1);
      if (run.isPresent()
          && run.get().status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED
          && (lastAction == null || lastAction.at().isBefore(run.get().closedAt()))) {
        statuses.publish(
            new AttachmentState(
                attachment.id().toString(),
                AttachmentStatus.FAILED,
                "its workflow was terminated by hand ("
                    + run.get().terminationReason()
                    + "); an operator may reprocess it",
                null,
                null));
        failed++;
        LOG.warn(
            "attachment {} was {} and its run terminated by hand: published FAILED",
            attachment.id(),
            attachment.status());
        continue;
      }
      if (run.isPresent()
          && run.get().status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
          && (lastAction == null || lastAction.at().isBefore(run.get().closedAt()))) {
        // a run (or an action's run) that completed without a final status: a bug to look at,
        // not to repeat every round
        LOG.error(
            "attachment {} is {} but its run completed", attachment.id(), attachment.status());
        continue;
      }
      if (lastAction == null) {
        workflows.start(attachment);
      } else {
        workflows.rerun(attachment, lastAction);
      }
      restarted++;
      LOG.warn(
          "attachment {} was {} without a running workflow: started it again",
          attachment.id(),
          attachment.status());
    }
    return new RecoveryPage(
        page.size(),
        restarted,
        failed,
        page.size() < limit ? null : page.get(page.size() - 1).id().toString());
  }
}
