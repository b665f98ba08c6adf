package dev.attachments.workflow;

import dev.attachments.preview.PreviewNotice;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One durable workflow per attachment: wait for the upload, verify, scan, quarantine or release,
 * preview, publish.
 */
@WorkflowInterface
public interface AttachmentWorkflow {

  @WorkflowMethod
  AttachmentState process(AttachmentRequest request);

  /** The client says its upload is complete; harmless to repeat. */
  @SignalMethod
  void uploadCompleted();

  /** The preview service finished what it made asynchronously. */
  @SignalMethod
  void previewProcessed(PreviewNotice notice);

  /**
   * An operator is about to run this attachment again: a run that only waits to sweep the incoming
   * bucket sweeps now and closes (the new run sweeps again at its end).
   */
  @SignalMethod
  void supersede();

  /**
   * Its owner deleted the attachment (the API has made it DELETED already, so nothing is served):
   * an upload still awaited is cancelled, a scan under way is cut short, and the file, wherever it
   * is, is deleted with its previews. The first deletion counts; a repeated one changes nothing.
   */
  @SignalMethod
  void delete(OperatorAction deletion);

  @QueryMethod
  AttachmentState state();
}
