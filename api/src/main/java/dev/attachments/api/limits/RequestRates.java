package dev.attachments.api.limits;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.metadata.RateLimits;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How often one owner may ask for what costs the service work: creates, upload URLs (and the
 * listing of stored parts), completes, redeliveries, webhook registrations (each resolves the
 * client's host name). Past its rate an owner is answered 429 with Retry-After; the other owners
 * are not affected. Shared by all replicas (the buckets are in PostgreSQL).
 */
@Singleton
public class RequestRates {
  /** The requests that are limited, each with its own bucket per owner. */
  public enum Kind {
    CREATE("uploads created"),
    UPLOAD_URLS("upload URL requests"),
    COMPLETE("completes"),
    REDELIVERY("redeliveries"),
    WEBHOOK_REGISTRATION("webhook registrations"),
    UPLOAD_TOKEN("upload tokens minted"),
    DELETE("deletions");

    private final String plural;

    Kind(String plural) {
      this.plural = plural;
    }
  }

  private final RateLimits limits;
  private final ApiSettings.Rates rates;

  /**
   * Per owner and kind, until when this replica refuses without asking PostgreSQL: an owner that
   * floods past its rate is answered from memory, and its refused calls take no database connection
   * from the other owners.
   */
  private final Map<String, Long> refusedUntil = new ConcurrentHashMap<>();

  public RequestRates(RateLimits limits, ApiSettings.Rates rates) {
    this.limits = limits;
    this.rates = rates;
  }

  /**
   * @throws Refusal 429 when {@code owner} has used up its rate for {@code kind}
   */
  public void charge(String owner, Kind kind) {
    RateLimits.Rate rate = rate(kind);
    String bucket = owner + "/" + kind;
    Long until = refusedUntil.get(bucket);
    long now = System.nanoTime();
    if (until != null) {
      if (now - until < 0) {
        throw refusal(rate, kind, Duration.ofNanos(until - now));
      }
      refusedUntil.remove(bucket, until);
    }
    limits
        .take(owner, rate)
        .ifPresent(
            wait -> {
              refusedUntil.put(bucket, now + wait.toNanos());
              throw refusal(rate, kind, wait);
            });
  }

  private static Refusal refusal(RateLimits.Rate rate, Kind kind, Duration wait) {
    return Refusal.tooMany(
        "rate-limited",
        "more than "
            + rate.perMinute()
            + " "
            + kind.plural
            + " a minute; try again in "
            + seconds(wait)
            + " s",
        Duration.ofSeconds(seconds(wait)));
  }

  private RateLimits.Rate rate(Kind kind) {
    return switch (kind) {
      case CREATE -> new RateLimits.Rate("create", rates.createsPerMinute());
      case UPLOAD_URLS -> new RateLimits.Rate("upload-urls", rates.uploadUrlsPerMinute());
      case COMPLETE -> new RateLimits.Rate("complete", rates.completesPerMinute());
      case REDELIVERY -> new RateLimits.Rate("redelivery", rates.redeliveriesPerMinute());
      case WEBHOOK_REGISTRATION ->
          new RateLimits.Rate("webhook-registration", rates.webhookRegistrationsPerMinute());
      case UPLOAD_TOKEN -> new RateLimits.Rate("upload-token", rates.uploadTokensPerMinute());
      case DELETE -> new RateLimits.Rate("delete", rates.deletesPerMinute());
    };
  }

  /** Whole seconds, rounded up: Retry-After has no fractions, and 0 would invite a retry storm. */
  private static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
