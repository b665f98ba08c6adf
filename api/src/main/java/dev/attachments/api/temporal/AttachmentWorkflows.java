package dev.attachments.api.temporal;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.s3.PresignedUrls;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.preview.PreviewNotice;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.TypeMismatchPolicy;
import dev.attachments.scan.UnscannablePolicy;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentSearchAttributes;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import dev.attachments.workflow.AttachmentWorkflow;
import dev.attachments.workflow.OperatorAction;
import dev.attachments.workflow.TaskQueues;
import io.micronaut.context.annotation.Context;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starts and signals the one workflow each attachment has, by its id; both are idempotent. */
@Context
public class AttachmentWorkflows {
  private final WorkflowClient client;
  private final TaskQueues queues;
  private final UnscannablePolicy unscannablePolicy;
  private final TypeMismatchPolicy typeMismatchPolicy;
  private final java.time.Duration giveUpAfter;
  private final java.time.Duration uploadUrlTtl;
  private final Attachments attachments;

  public AttachmentWorkflows(
      WorkflowClient client,
      ApiSettings.Temporal temporal,
      ApiSettings.Processing settings,
      ApiSettings.Uploads uploads,
      Attachments attachments) {
    this.client = client;
    this.attachments = attachments;
    this.queues = temporal.queues();
    this.unscannablePolicy =
        policy(
            UnscannablePolicy.class,
            "ATTACHMENTS_UNSCANNABLE_POLICY",
            settings.unscannablePolicy());
    this.typeMismatchPolicy =
        policy(
            TypeMismatchPolicy.class,
            "ATTACHMENTS_TYPE_MISMATCH_POLICY",
            settings.typeMismatchPolicy());
    this.giveUpAfter = settings.giveUpAfter();
    this.uploadUrlTtl = PresignedUrls.clamp(uploads.urlTtl());
    if (giveUpAfter.isNegative() || giveUpAfter.isZero()) {
      throw new IllegalArgumentException(
          "ATTACHMENTS_GIVE_UP_AFTER is " + giveUpAfter + "; it must be positive");
    }
  }

  /**
   * @throws IllegalArgumentException at start-up, for a policy that is neither hold nor reject
   */
  static <P extends Enum<P>> P policy(Class<P> type, String variable, String setting) {
    try {
      return Enum.valueOf(type, setting.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          variable + " is '" + setting + "'; it must be hold or reject", e);
    }
  }

  /**
   * Starts the attachment's workflow unless it runs or ran already; a run that failed or was
   * terminated may be started again.
   */
  public void start(Attachment attachment) {
    start(attachment, null, null);
  }

  /**
   * Runs the attachment's workflow again for an operator's action, after its earlier run closed;
   * the action's audit record, written with the move back to PROCESSING, is what allows it and says
   * what to do. A release or a reprocess keeps the verdict the attachment has, so the scan is not
   * repeated; a rescan drops it.
   */
  public void rerun(Attachment attachment, OperatorActions.AuditEntry audit) {
    OperatorAction.Kind kind =
        audit.action().equals(OperatorActions.RELEASE)
            ? OperatorAction.Kind.RELEASE
            : OperatorAction.Kind.REPROCESS;
    ScanResult scan = audit.action().equals(OperatorActions.RESCAN) ? null : verdictOf(attachment);
    start(
        attachment,
        scan,
        new OperatorAction(audit.id().toString(), kind, audit.actor(), audit.reason()));
  }

  /**
   * The verdict the attachment already has, as its workflow knows it; null when it was never
   * scanned.
   */
  private static ScanResult verdictOf(Attachment attachment) {
    return attachment.scan() == null
        ? null
        : new ScanResult(
            attachment.scan().verdict(),
            attachment.scan().signature(),
            attachment.scan().engine(),
            attachment.sha256(),
            attachment.detectedContentType(),
            attachment.size(),
            attachment.scan().scannedAt(),
            attachment.scan().etag());
  }

  /**
   * Tells the attachment's workflow that its owner deleted it; when no run is open (it closed, or
   * was never started), starts one that only deletes. One call (signal-with-start), so a run
   * closing meanwhile cannot miss it; a repeated deletion names the same audit record, hence the
   * same {@code attachment.deleted} event.
   */
  public void delete(Attachment attachment, OperatorActions.AuditEntry audit) {
    if (deletionCarriedOut(attachment.id().toString())) {
      return; // a repeated DELETE: nothing is left to delete, and no run or event again
    }
    OperatorAction deletion =
        new OperatorAction(
            audit.id().toString(), OperatorAction.Kind.DELETE, audit.actor(), audit.reason());
    AttachmentWorkflow workflow =
        client.newWorkflowStub(AttachmentWorkflow.class, options(attachment, deletion));
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(workflow::process, request(attachment, verdictOf(attachment), deletion));
    batch.add(workflow::delete, deletion);
    client.signalWithStart(batch);
  }

  /** Whether the attachment's latest run completed DELETED: its deletion is done. */
  private boolean deletionCarriedOut(String attachmentId) {
    java.util.Optional<Run> run = latestRun(attachmentId);
    if (run.isEmpty()
        || run.get().status() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      return false;
    }
    try {
      return client
              .newUntypedWorkflowStub(AttachmentRequest.workflowId(attachmentId))
              .getResult(5, TimeUnit.SECONDS, AttachmentState.class)
              .status()
          == AttachmentStatus.DELETED;
    } catch (TimeoutException | RuntimeException unknown) {
      return false; // run it again: deleting is idempotent
    }
  }

  private WorkflowOptions options(Attachment attachment, OperatorAction action) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(AttachmentRequest.workflowId(attachment.id().toString()))
        .setTaskQueue(queues.main())
        // the upload's run has nothing to do before its client completes (the signal starts it
        // at once) or the first look is due: no workflow task, no timer for the wait
        .setStartDelay(action == null ? AttachmentRequest.FIRST_LOOK : null)
        // a run that was terminated or failed may be started again (recovery); a completed one
        // only on
        // an operator's word
        .setWorkflowIdReusePolicy(
            action == null
                ? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
                : WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary(summary(attachment))
        .setStaticDetails(
            "owner: "
                + attachment.owner()
                + "\nobject: "
                + attachment.objectKey()
                + "\ncreated: "
                + attachment.createdAt()
                + (action == null
                    ? ""
                    : "\n"
                        + action.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + " by "
                        + action.operator()
                        + ": "
                        + action.reason()))
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(
                    AttachmentSearchAttributes.STATUS,
                    action == null
                        ? attachment.status().name()
                        : action.kind() == OperatorAction.Kind.DELETE
                            ? AttachmentStatus.DELETED.name()
                            : AttachmentStatus.PROCESSING.name())
                .set(AttachmentSearchAttributes.OWNER, attachment.owner())
                .set(AttachmentSearchAttributes.CONTENT_TYPE, attachment.contentType())
                .set(AttachmentSearchAttributes.SIZE, attachment.size())
                .build())
        .build();
  }

  private AttachmentRequest request(
      Attachment attachment, ScanResult resumeScan, OperatorAction action) {
    return new AttachmentRequest(
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
        resumeScan,
        action,
        giveUpAfter,
        uploadUrlTtl,
        typeMismatchPolicy);
  }

  private void start(Attachment attachment, ScanResult resumeScan, OperatorAction action) {
    WorkflowOptions options = options(attachment, action);
    AttachmentRequest request = request(attachment, resumeScan, action);
    try {
      if (action != null && deletedMeanwhile(attachment)) {
        return;
      }
      WorkflowClient.start(
          client.newWorkflowStub(AttachmentWorkflow.class, options)::process, request);
    } catch (WorkflowExecutionAlreadyStarted alreadyStarted) {
      if (action == null) {
        return; // a retried create: the workflow is there, which is all we wanted
      }
      // the previous run published its final status and at most waits to sweep the incoming bucket:
      // tell it to
      // sweep now and close, then run again (this run sweeps at its own end)
      try {
        client.newWorkflowStub(AttachmentWorkflow.class, options.getWorkflowId()).supersede();
      } catch (WorkflowNotFoundException closedMeanwhile) {
        // it closed between our start and the signal: nothing to cut short
      }
      try {
        client
            .newUntypedWorkflowStub(options.getWorkflowId())
            .getResult(30, TimeUnit.SECONDS, Object.class);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "the previous run of " + options.getWorkflowId() + " is still open", e);
      } catch (RuntimeException closedAnyhow) {
        // failed or terminated: closed all the same
      }
      if (deletedMeanwhile(attachment)) {
        return;
      }
      WorkflowClient.start(
          client.newWorkflowStub(AttachmentWorkflow.class, options)::process, request);
    }
  }

  /**
   * An operator's release or reprocess raced its owner's DELETE and lost: the run that was open got
   * the deletion and carried it out; no run that knows nothing of it starts after.
   */
  private boolean deletedMeanwhile(Attachment attachment) {
    return attachments
        .findAny(attachment.id())
        .map(now -> now.status() == AttachmentStatus.DELETED)
        .orElse(false);
  }

  /**
   * The attachment's latest run as Temporal knows it.
   *
   * @param closedAt when it closed; null while it runs
   * @param terminationReason why it was terminated, when it was
   */
  public record Run(
      WorkflowExecutionStatus status, java.time.Instant closedAt, String terminationReason) {
    public boolean isRunning() {
      return status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }
  }

  /** The attachment's latest run; empty when Temporal has none (never started, or forgotten). */
  public java.util.Optional<Run> latestRun(String attachmentId) {
    String namespace = client.getOptions().getNamespace();
    var execution =
        io.temporal.api.common.v1.WorkflowExecution.newBuilder()
            .setWorkflowId(AttachmentRequest.workflowId(attachmentId))
            .build();
    var stub = client.getWorkflowServiceStubs().blockingStub();
    try {
      var info =
          stub.describeWorkflowExecution(
                  io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(namespace)
                      .setExecution(execution)
                      .build())
              .getWorkflowExecutionInfo();
      if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return java.util.Optional.of(new Run(info.getStatus(), null, null));
      }
      java.time.Instant closedAt =
          java.time.Instant.ofEpochSecond(
              info.getCloseTime().getSeconds(), info.getCloseTime().getNanos());
      String reason = null;
      if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED) {
        var close =
            stub.getWorkflowExecutionHistory(
                io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(execution)
                    .setHistoryEventFilterType(
                        io.temporal.api.enums.v1.HistoryEventFilterType
                            .HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                    .build());
        reason =
            close.getHistory().getEventsCount() == 0
                ? ""
                : close
                    .getHistory()
                    .getEvents(close.getHistory().getEventsCount() - 1)
                    .getWorkflowExecutionTerminatedEventAttributes()
                    .getReason();
      }
      return java.util.Optional.of(new Run(info.getStatus(), closedAt, reason));
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return java.util.Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Tells the workflow its upload is complete, by signal-with-start: a plain signal leaves a run
   * whose start is delayed waiting out the delay, this one starts it at once. A run that closed is
   * not started again (that is an operator's call); a run that never was, is.
   *
   * @return false when the workflow has already finished
   */
  public boolean uploadCompleted(Attachment attachment) {
    WorkflowOptions options =
        WorkflowOptions.newBuilder(options(attachment, null))
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            // a run this call creates (none was started) has its upload: no delay
            .setStartDelay(null)
            .build();
    AttachmentWorkflow workflow = client.newWorkflowStub(AttachmentWorkflow.class, options);
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(workflow::process, request(attachment, null, null));
    batch.add(workflow::uploadCompleted);
    try {
      client.signalWithStart(batch);
      return true;
    } catch (WorkflowExecutionAlreadyStarted finished) {
      return false;
    }
  }

  /** Tells the workflow its asynchronous previews settled; nothing happens when it has finished. */
  public void previewProcessed(String attachmentId, PreviewNotice notice) {
    try {
      client
          .newWorkflowStub(AttachmentWorkflow.class, AttachmentRequest.workflowId(attachmentId))
          .previewProcessed(notice);
    } catch (WorkflowNotFoundException finished) {
      // a late or repeated notification
    }
  }

  /** "logo.png · 1.2 MB · image/png": what the Temporal UI shows first. */
  static String summary(Attachment attachment) {
    return attachment.filename()
        + " · "
        + humanSize(attachment.size())
        + " · "
        + attachment.contentType();
  }

  static String humanSize(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit == 0
        ? bytes + " B"
        : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
