package dev.attachments.api.upload;

import dev.attachments.api.ApiSettings;
import dev.attachments.metadata.Attachment;
import dev.attachments.preview.PreviewNotice;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.UnscannablePolicy;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentSearchAttributes;
import dev.attachments.workflow.AttachmentWorkflow;
import dev.attachments.workflow.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.micronaut.context.annotation.Context;

/** Starts and signals the one workflow each attachment has, by its id; both are idempotent. */
@Context
public class AttachmentWorkflows {
  private final WorkflowClient client;
  private final TaskQueues queues;
  private final UnscannablePolicy unscannablePolicy;

  public AttachmentWorkflows(WorkflowClient client, ApiSettings settings) {
    this.client = client;
    this.queues = new TaskQueues(settings.taskQueue(), settings.scanTaskQueue(), settings.mediaTaskQueue());
    this.unscannablePolicy = policy(settings.unscannablePolicy());
  }

  /** @throws IllegalArgumentException at start-up, for a policy that is neither hold nor reject */
  static UnscannablePolicy policy(String setting) {
    try {
      return UnscannablePolicy.valueOf(setting.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "ATTACHMENTS_UNSCANNABLE_POLICY is '" + setting + "'; it must be hold or reject", e);
    }
  }

  /** Starts the attachment's workflow unless it runs or ran already. */
  public void start(Attachment attachment) {
    start(attachment, null);
  }

  /**
   * Starts the attachment's workflow; a run that failed or was terminated may be started again.
   *
   * @param resumeScan the verdict it already had, so that a reprocess does not scan again; null to scan
   */
  public void start(Attachment attachment, ScanResult resumeScan) {
    AttachmentWorkflow workflow =
        client.newWorkflowStub(
            AttachmentWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(AttachmentRequest.workflowId(attachment.id().toString()))
                .setTaskQueue(queues.main())
                // a run that was terminated or failed may be started again (recovery); a completed one never
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setStaticSummary(summary(attachment))
                .setStaticDetails(
                    "owner: " + attachment.owner() + "\nobject: " + attachment.objectKey() + "\ncreated: "
                        + attachment.createdAt())
                .setTypedSearchAttributes(
                    SearchAttributes.newBuilder()
                        .set(AttachmentSearchAttributes.STATUS, attachment.status().name())
                        .set(AttachmentSearchAttributes.OWNER, attachment.owner())
                        .set(AttachmentSearchAttributes.CONTENT_TYPE, attachment.contentType())
                        .set(AttachmentSearchAttributes.SIZE, attachment.size())
                        .build())
                .build());
    try {
      WorkflowClient.start(
          workflow::process,
          new AttachmentRequest(
              attachment.id().toString(),
              attachment.owner(),
              attachment.filename(),
              attachment.contentType(),
              attachment.size(),
              attachment.declaredSha256(),
              attachment.objectKey(),
              attachment.uploadExpiresAt(),
              queues,
              unscannablePolicy,
              resumeScan));
    } catch (WorkflowExecutionAlreadyStarted alreadyStarted) {
      // a retried create: the workflow is there, which is all we wanted
    }
  }

  /** Whether the attachment's workflow is running now; false when it is gone, closed, or never started. */
  public boolean isRunning(String attachmentId) {
    try {
      var description =
          client.getWorkflowServiceStubs().blockingStub()
              .describeWorkflowExecution(
                  io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(
                          io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                              .setWorkflowId(AttachmentRequest.workflowId(attachmentId)))
                      .build());
      return description.getWorkflowExecutionInfo().getStatus()
          == io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Tells the workflow its upload is complete.
   *
   * @return false when the workflow has already finished
   */
  public boolean uploadCompleted(String attachmentId) {
    try {
      client.newWorkflowStub(AttachmentWorkflow.class, AttachmentRequest.workflowId(attachmentId)).uploadCompleted();
      return true;
    } catch (WorkflowNotFoundException finished) {
      return false;
    }
  }

  /** Tells the workflow its asynchronous previews settled; nothing happens when it has finished. */
  public void previewProcessed(String attachmentId, PreviewNotice notice) {
    try {
      client.newWorkflowStub(AttachmentWorkflow.class, AttachmentRequest.workflowId(attachmentId)).previewProcessed(notice);
    } catch (WorkflowNotFoundException finished) {
      // a late or repeated notification
    }
  }

  /** "logo.png · 1.2 MB · image/png": what the Temporal UI shows first. */
  static String summary(Attachment attachment) {
    return attachment.filename() + " · " + humanSize(attachment.size()) + " · " + attachment.contentType();
  }

  static String humanSize(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
