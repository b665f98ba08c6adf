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

  public static TaskQueues defaults() {
    return new TaskQueues(MAIN, SCAN, MEDIA);
  }
}
