package dev.attachments.worker;

import dev.attachments.webhook.WebhookWorkflow;
import dev.attachments.workflow.AttachmentRequest;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Puts the attachment's id in the log's MDC ({@code attachmentId}) for every activity run for it,
 * beside what the Temporal SDK puts there (WorkflowId, ActivityType, ...): the attachment's and its
 * webhooks' workflow ids name it. The starter adds every WorkerInterceptor bean to the workers.
 */
@Component
class AttachmentLogContext extends WorkerInterceptorBase {
  private static final String KEY = "attachmentId";

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private String attachmentId;

      @Override
      public void init(ActivityExecutionContext context) {
        attachmentId = attachmentOf(context.getInfo().getWorkflowId());
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        if (attachmentId == null) {
          return super.execute(input);
        }
        try (var mdc = MDC.putCloseable(KEY, attachmentId)) {
          return super.execute(input);
        }
      }
    };
  }

  /** {@code attachment-<id>} and {@code webhooks-<id>} name one; the service workflows none. */
  static String attachmentOf(String workflowId) {
    for (String prefix :
        new String[] {AttachmentRequest.WORKFLOW_ID_PREFIX, WebhookWorkflow.ID_PREFIX}) {
      if (workflowId != null && workflowId.startsWith(prefix)) {
        return workflowId.substring(prefix.length());
      }
    }
    return null;
  }
}
