package dev.attachments.webhook;

import dev.attachments.workflow.TaskQueues;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.spring.boot.WorkflowImpl;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;

/**
 * Events in arrival order; per endpoint a chain of deliveries, so endpoints never wait for each
 * other.
 */
@WorkflowImpl(taskQueues = TaskQueues.WEBHOOKS_PLACEHOLDER)
public class WebhookWorkflowImpl implements WebhookWorkflow {
  /** How long the workflow stays open after its last event, for the next one. */
  static final Duration IDLE = Duration.ofMinutes(10);

  private final Queue<Event> events = new ArrayDeque<>();
  private final Queue<String[]> redeliveries = new ArrayDeque<>();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Promise<Void>> lanes = new HashMap<>();

  private final WebhookActivities recording =
      Workflow.newActivityStub(
          WebhookActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setScheduleToCloseTimeout(Duration.ofHours(1))
              .setSummary("Record the event and find its subscribers")
              .build());

  /**
   * Up to a day of retries with back-off on timeouts, connection errors, 429 and 5xx; other 4xx are
   * final.
   */
  private final WebhookActivities delivering =
      Workflow.newActivityStub(
          WebhookActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setScheduleToCloseTimeout(Duration.ofHours(24))
              .setSummary("POST the signed event to the endpoint")
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(1))
                      .setBackoffCoefficient(2)
                      .setMaximumInterval(Duration.ofMinutes(30))
                      .setDoNotRetry(WebhookActivities.REFUSED)
                      .build())
              .build());

  @Override
  public void deliverEvents(String attachmentId) {
    while (true) {
      boolean more = Workflow.await(IDLE, this::hasWork);
      if (!more) {
        if (lanes.values().stream().allMatch(Promise::isCompleted)) {
          return;
        }
        // deliveries still retrying: stay for them, and for any event that comes meanwhile
        Workflow.await(() -> hasWork() || lanes.values().stream().allMatch(Promise::isCompleted));
        continue;
      }
      while (!events.isEmpty()) {
        Event event = events.poll();
        Workflow.setCurrentDetails("Delivering " + event.type().wireName());
        for (String endpointId : recording.record(event)) {
          chain(endpointId, event.id());
        }
      }
      while (!redeliveries.isEmpty()) {
        String[] redelivery = redeliveries.poll();
        chain(redelivery[1], redelivery[0]);
      }
    }
  }

  private boolean hasWork() {
    return !events.isEmpty() || !redeliveries.isEmpty();
  }

  /**
   * The endpoint gets this event after every earlier one, whether those were delivered or given up.
   */
  private void chain(String endpointId, String eventId) {
    Promise<Void> previous = lanes.getOrDefault(endpointId, Workflow.newPromise(null));
    lanes.put(
        endpointId,
        previous.thenCompose(
            done ->
                io.temporal.workflow.Async.procedure(delivering::deliver, eventId, endpointId)
                    .exceptionally(
                        failure -> {
                          // given up after its retries, or refused: recorded as attempts; the lane
                          // moves on
                          return null;
                        })));
  }

  @Override
  public void eventHappened(Event event) {
    if (seen.add(event.id())) {
      events.add(event);
    }
  }

  @Override
  public void redeliver(String eventId, String endpointId) {
    redeliveries.add(new String[] {eventId, endpointId});
  }
}
