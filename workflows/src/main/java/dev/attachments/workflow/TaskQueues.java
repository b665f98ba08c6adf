package dev.attachments.workflow;

/**
 * The three task queues of one stack: workflows and light activities, scanning (hosts that run
 * clamd), and media work. They travel in the request so that a running workflow keeps the routing
 * it started with.
 */
public record TaskQueues(String main, String scan, String media) {
  public static final String MAIN = "attachments";
  public static final String SCAN = "attachments-scan";
  public static final String MEDIA = "attachments-media";
  public static final String WEBHOOKS = "attachments-webhooks";

  /*
   * The queues as the worker's Spring placeholders, for @WorkflowImpl and @ActivityImpl: each is
   * the ATTACHMENTS_*_TASK_QUEUE setting (worker application.yml), defaulting to the name above.
   */
  public static final String MAIN_PLACEHOLDER = "${attachments.task-queues.main:" + MAIN + "}";
  public static final String SCAN_PLACEHOLDER = "${attachments.task-queues.scan:" + SCAN + "}";
  public static final String MEDIA_PLACEHOLDER = "${attachments.task-queues.media:" + MEDIA + "}";
  public static final String WEBHOOKS_PLACEHOLDER =
      "${attachments.task-queues.webhooks:" + WEBHOOKS + "}";

  public static TaskQueues defaults() {
    return new TaskQueues(MAIN, SCAN, MEDIA);
  }
}
