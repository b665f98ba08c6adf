package dev.attachments.workflow;

/**
 * The three task queues of one stack: workflows and light activities, scanning (hosts that run
 * clamd), and media work. They travel in the request so that a running workflow keeps the routing
 * it started with.
 */
public record TaskQueues(String main, String scan, String media) {
  /*
   * The queues as the worker's Spring placeholders, for @WorkflowImpl and @ActivityImpl: each is
   * the worker's attachments.task-queues.* setting, whose name and default (the
   * ATTACHMENTS_*_TASK_QUEUE variable) live in its application.yml; the API reads the same
   * variables into ApiSettings.Temporal.
   */
  public static final String MAIN_PLACEHOLDER = "${attachments.task-queues.main}";
  public static final String SCAN_PLACEHOLDER = "${attachments.task-queues.scan}";
  public static final String MEDIA_PLACEHOLDER = "${attachments.task-queues.media}";
  public static final String WEBHOOKS_PLACEHOLDER = "${attachments.task-queues.webhooks}";
}
