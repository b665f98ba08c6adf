package dev.attachments.api.temporal;

import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.workflow.AttachmentStatus;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, finds attachments still waiting or in processing whose workflow is gone (a lost
 * embedded server, a terminated run, a crash between an operator's action and its run) and starts
 * it again, so that nothing stays stuck silently. A restarted upload run looks for the upload
 * itself and carries on from there; an operator's release or reprocess is carried out as it was
 * asked.
 */
@Singleton
public class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  private static final int BATCH = 10_000;

  private final Attachments repository;
  private final OperatorActions actions;
  private final AttachmentWorkflows workflows;

  public Recovery(Attachments repository, OperatorActions actions, AttachmentWorkflows workflows) {
    this.actions = actions;
    this.repository = repository;
    this.workflows = workflows;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    Thread recovery = new Thread(this::recover, "attachment-recovery");
    recovery.setDaemon(true);
    recovery.start();
  }

  /**
   * @return how many workflows were started again
   */
  public int recover() {
    int restarted = 0;
    try {
      for (Attachment attachment : repository.unfinished(BATCH)) {
        if (!workflows.isRunning(attachment.id().toString())) {
          restart(attachment);
          restarted++;
          LOG.warn(
              "attachment {} was {} without a running workflow: started it again",
              attachment.id(),
              attachment.status());
        }
      }
    } catch (RuntimeException e) {
      LOG.error("recovery of unfinished attachments stopped; it runs again at the next start", e);
    }
    return restarted;
  }

  /**
   * Only an operator's action moves an attachment back to PROCESSING; its audit record says which
   * one.
   */
  private void restart(Attachment attachment) {
    List<OperatorActions.AuditEntry> audit =
        attachment.status() == AttachmentStatus.PROCESSING
            ? actions.audit(attachment.id())
            : List.of();
    if (audit.isEmpty()) {
      workflows.start(attachment);
      return;
    }
    workflows.rerun(attachment, audit.get(audit.size() - 1));
  }
}
