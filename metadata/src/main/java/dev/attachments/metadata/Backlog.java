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
    return store.read(
        "backlog: could not read the attachments processing",
        handle ->
            handle
                .createQuery(
                    "select count(*), min(processing_since) from attachment"
                        + " where status = 'PROCESSING'")
                .map((row, context) -> new Waiting(row.getLong(1), instant(row.getTimestamp(2))))
                .one());
  }

  /**
   * @param retried events still retried (recorded within the deliveries' give-up time)
   * @param givenUp older ones: only an operator's redelivery sends them now
   */
  public record Undelivered(Waiting retried, long givenUp) {}

  /**
   * Events that a receiver has neither taken nor refused, read in one pass: those recorded within
   * {@code window} (the deliveries' give-up time) and the older ones.
   */
  public Undelivered undelivered(Duration window) {
    return store.read(
        "backlog: could not read the undelivered events",
        handle ->
            handle
                .createQuery(
                    "select count(*) filter (where since > :after),"
                        + " min(since) filter (where since > :after),"
                        + " count(*) filter (where since <= :after) from webhook_pending")
                .bind("after", Store.timestamp(Instant.now().minus(window)))
                .map(
                    (row, context) ->
                        new Undelivered(
                            new Waiting(row.getLong(1), instant(row.getTimestamp(2))),
                            row.getLong(3)))
                .one());
  }

  private static Instant instant(java.sql.Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
