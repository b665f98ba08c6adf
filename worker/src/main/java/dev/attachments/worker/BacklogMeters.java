package dev.attachments.worker;

import dev.attachments.metadata.Backlog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * What waits, read from the metadata store every 15 s (a scrape never waits on the database):
 * attachments processing and the oldest of them, webhook events undelivered and the oldest of them,
 * events whose deliveries gave up. Every worker reports the same figures: take their max.
 */
public class BacklogMeters {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogMeters.class);

  /** The webhook deliveries' schedule-to-close: older undelivered events wait for an operator. */
  static final Duration DELIVERIES_GIVE_UP = Duration.ofHours(24);

  private final Backlog backlog;
  private volatile Backlog.Waiting processing = new Backlog.Waiting(0, null);
  private volatile Backlog.Waiting undelivered = new Backlog.Waiting(0, null);
  private volatile long givenUp;

  public BacklogMeters(Backlog backlog, MeterRegistry meters) {
    this.backlog = backlog;
    Gauge.builder("attachments.processing", this, m -> m.processing.count())
        .description("attachments whose upload was found and that have no outcome yet")
        .register(meters);
    Gauge.builder("attachments.processing.oldest.age", this, m -> age(m.processing))
        .description("how long the attachment processing longest has been at it")
        .baseUnit("seconds")
        .register(meters);
    Gauge.builder("attachments.webhook.undelivered", this, m -> m.undelivered.count())
        .description("webhook events a receiver has neither taken nor refused, still retried")
        .register(meters);
    Gauge.builder("attachments.webhook.undelivered.oldest.age", this, m -> age(m.undelivered))
        .description("how long the oldest undelivered webhook event (still retried) has waited")
        .baseUnit("seconds")
        .register(meters);
    Gauge.builder("attachments.webhook.given.up", this, m -> m.givenUp)
        .description("webhook events whose deliveries gave up: only a redelivery sends them")
        .register(meters);
  }

  private static double age(Backlog.Waiting waiting) {
    return waiting.oldestAge(Instant.now()).toMillis() / 1000.0;
  }

  @Scheduled(initialDelay = 0, fixedDelayString = "${attachments.backlog-meters-every:15s}")
  public void refresh() {
    try {
      processing = backlog.processing();
      Backlog.Undelivered events = backlog.undelivered(DELIVERIES_GIVE_UP);
      undelivered = events.retried();
      givenUp = events.givenUp();
    } catch (RuntimeException unread) {
      LOG.warn("could not read the backlog for its meters: {}", unread.getMessage());
    }
  }
}
