package dev.attachments.postgres;

import dev.attachments.metadata.AttachmentStatuses;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.publish.MetadataActivities;
import dev.attachments.webhook.Event;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import dev.attachments.workflow.TaskQueues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Publishes each step of an attachment's processing to the PostgreSQL metadata store, and counts
 * what changed: {@code attachments_finished_total} by final status, {@code
 * attachments_release_latency_seconds} from the upload found to RELEASED, {@code
 * attachments_previews_total} by outcome (READY, FAILED, UNSUPPORTED; not PENDING). The store says
 * what a write changed, so a retried attempt counts nothing twice. An announcement hands the
 * change's event on to webhook delivery once the state is written, in the same activity.
 */
@ActivityImpl(taskQueues = TaskQueues.MAIN_PLACEHOLDER)
public class MetadataPublisher implements MetadataActivities {
  private final AttachmentStatuses repository;
  private final MeterRegistry meters;
  private final Timer releaseLatency;
  private final Consumer<Event> handOff;

  /**
   * @param handOff gives an event to webhook delivery (idempotent by the event's id)
   */
  public MetadataPublisher(
      AttachmentStatuses repository, MeterRegistry meters, Consumer<Event> handOff) {
    this.repository = repository;
    this.meters = meters;
    this.handOff = handOff;
    this.releaseLatency =
        Timer.builder("attachments.release.latency")
            .description("from the moment the workflow found the upload to RELEASED")
            .serviceLevelObjectives(
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofMinutes(1),
                Duration.ofMinutes(5),
                Duration.ofMinutes(30))
            .register(meters);
  }

  @Override
  public void publish(AttachmentState state) {
    repository.publish(state).ifPresent(change -> count(state, change));
  }

  @Override
  public void announce(AttachmentState state, Event event) {
    publish(state);
    if (event != null) {
      try {
        handOff.accept(event);
      } catch (RuntimeException failed) {
        throw ApplicationFailure.newFailureWithCause(
            "the state is published; handing its event "
                + event.type().wireName()
                + " to delivery failed: "
                + failed.getMessage(),
            HAND_OFF_FAILED,
            failed);
      }
    }
  }

  private void count(AttachmentState state, AttachmentStatuses.Change change) {
    AttachmentStatus status = state.status();
    if (status.isFinal() && change.before() != status) {
      Counter.builder("attachments.finished")
          .description("attachments that reached a final status")
          .tag("status", status.name())
          .register(meters)
          .increment();
      if (status == AttachmentStatus.RELEASED && change.processingSince() != null) {
        releaseLatency.record(Duration.between(change.processingSince(), Instant.now()));
      }
    }
    Preview preview = state.preview();
    if (preview != null
        && preview.status() != PreviewStatus.PENDING
        && preview.status() != change.previewBefore()) {
      Counter.builder("attachments.previews")
          .description("preview outcomes")
          .tag("outcome", preview.status().name())
          .register(meters)
          .increment();
    }
  }
}
