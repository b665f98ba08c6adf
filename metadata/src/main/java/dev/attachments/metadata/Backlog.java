package dev.attachments.metadata;

import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/** What waits: attachments still processing and webhook events not yet delivered, for meters. */
public class Backlog {
  private final Store store;

  public Backlog(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /**
   * @param oldest since when the longest-waiting one waits, null when none does
   */
  public record Waiting(long count, Instant oldest) {
    public Duration oldestAge(Instant now) {
      return oldest == null ? Duration.ZERO : Duration.between(oldest, now);
    }
  }

  /** Attachments whose upload was found and that have no verdict's outcome yet. */
  public Waiting processing() {
    return waiting(
        "select count(*), min(processing_since) from attachment where status = 'PROCESSING'", null);
  }

  /**
   * Events that a receiver has neither taken nor refused, recorded within {@code window} (the
   * deliveries' give-up time: older ones wait for an operator, see {@link #undeliveredGivenUp}).
   */
  public Waiting undeliveredEvents(Duration window) {
    return waiting("select count(*), min(since) from webhook_pending where since > :after", window);
  }

  /** Events whose deliveries gave up: only an operator's redelivery sends them now. */
  public long undeliveredGivenUp(Duration window) {
    return store.read(
        "backlog: could not count given-up deliveries",
        handle ->
            handle
                .createQuery("select count(*) from webhook_pending where since <= :after")
                .bind("after", Store.timestamp(Instant.now().minus(window)))
                .mapTo(Long.class)
                .one());
  }

  private Waiting waiting(String sql, Duration window) {
    return store.read(
        "backlog: could not read what waits",
        handle -> {
          var query = handle.createQuery(sql);
          if (window != null) {
            query.bind("after", Store.timestamp(Instant.now().minus(window)));
          }
          return query
              .map(
                  (row, context) -> {
                    java.sql.Timestamp oldest = row.getTimestamp(2);
                    return new Waiting(row.getLong(1), oldest == null ? null : oldest.toInstant());
                  })
              .one();
        });
  }
}
