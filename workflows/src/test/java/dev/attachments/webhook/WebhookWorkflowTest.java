package dev.attachments.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookWorkflowTest {
  private TestWorkflowEnvironment env;
  private final Receivers receivers = new Receivers();

  /** Two endpoints: "healthy" takes everything, "flaky" fails its first attempts with a 500. */
  static final class Receivers implements WebhookActivities {
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final AtomicInteger flakyFailuresLeft = new AtomicInteger(3);
    final AtomicInteger flakyAttempts = new AtomicInteger();
    volatile boolean goneEndpoint;

    @Override
    public void emit(Event event) {}

    @Override
    public List<String> record(Event event) {
      return goneEndpoint ? List.of("gone", "healthy") : List.of("healthy", "flaky");
    }

    @Override
    public void deliver(String eventId, String endpointId) {
      if (endpointId.equals("gone")) {
        throw ApplicationFailure.newNonRetryableFailure("the receiver answered 410", REFUSED);
      }
      if (endpointId.equals("flaky")) {
        flakyAttempts.incrementAndGet();
        if (flakyFailuresLeft.getAndDecrement() > 0) {
          throw ApplicationFailure.newFailure("the receiver answered 500", "WebhookUnavailable");
        }
      }
      delivered.add(endpointId + ":" + eventId);
    }
  }

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    var worker = env.newWorker("webhooks");
    worker.registerWorkflowImplementationTypes(WebhookWorkflowImpl.class);
    worker.registerActivitiesImplementations(receivers);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private WebhookWorkflow run(Event... events) {
    WebhookWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                WebhookWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("webhooks-a1")
                    .setTaskQueue("webhooks")
                    .build());
    WorkflowClient.start(workflow::deliverEvents, "a1");
    for (Event event : events) {
      workflow.eventHappened(event);
    }
    return workflow;
  }

  @Test
  void eachEndpointGetsEveryEventOnceInOrderAndAFlakyOneDoesNotHoldUpTheOther() {
    Event uploaded = Event.of("a1", "acme", EventType.UPLOADED, Instant.EPOCH);
    Event released = Event.of("a1", "acme", EventType.RELEASED, Instant.EPOCH);

    WebhookWorkflow workflow = run(uploaded, released, released);
    WorkflowStub.fromTyped(workflow).getResult(Void.class);

    assertThat(receivers.delivered)
        .filteredOn(d -> d.startsWith("healthy:"))
        .containsExactly("healthy:" + uploaded.id(), "healthy:" + released.id());
    assertThat(receivers.delivered)
        .filteredOn(d -> d.startsWith("flaky:"))
        .containsExactly("flaky:" + uploaded.id(), "flaky:" + released.id());
    assertThat(receivers.flakyAttempts).hasValue(5);
    // the healthy endpoint had both events before the flaky one got its first
    assertThat(receivers.delivered.indexOf("healthy:" + released.id()))
        .isLessThan(receivers.delivered.indexOf("flaky:" + uploaded.id()));
  }

  @Test
  void aRefusingEndpointIsGivenUpWithoutRetriesAndOthersStillGetTheirEvents() {
    receivers.goneEndpoint = true;
    Event released = Event.of("a1", "acme", EventType.RELEASED, Instant.EPOCH);

    WorkflowStub.fromTyped(run(released)).getResult(Void.class);

    assertThat(receivers.delivered).containsExactly("healthy:" + released.id());
  }

  @Test
  void eventIdsAreStablePerAttachmentAndType() {
    assertThat(Event.of("a1", "acme", EventType.RELEASED, Instant.EPOCH).id())
        .isEqualTo(Event.of("a1", "acme", EventType.RELEASED, Instant.now()).id())
        .isNotEqualTo(Event.of("a1", "acme", EventType.UPLOADED, Instant.EPOCH).id())
        .isNotEqualTo(Event.of("a2", "acme", EventType.RELEASED, Instant.EPOCH).id());
  }
}
