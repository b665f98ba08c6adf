package dev.attachments.metadata;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * How often a caller may do something: a token bucket per caller and kind of request, kept in
 * PostgreSQL (Bucket4j, one row locked for a few statements a call), so that every API replica
 * draws on the same bucket.
 */
public final class RateLimits {
  /**
   * So many a minute, refilled continuously; a burst may spend a whole minute's worth at once.
   *
   * @param name what is being limited, part of the bucket's key
   */
  public record Rate(String name, long perMinute) {
    public Rate {
      if (perMinute < 1) {
        throw new IllegalArgumentException(name + ": at least 1 a minute");
      }
    }

    private BucketConfiguration bucket() {
      return BucketConfiguration.builder()
          .addLimit(
              Bandwidth.builder()
                  .capacity(perMinute)
                  .refillGreedy(perMinute, Duration.ofMinutes(1))
                  .build())
          .build();
    }
  }

  private final ProxyManager<String> buckets;

  public RateLimits(DataSource dataSource) {
    this.buckets =
        Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
            .primaryKeyMapper(PrimaryKeyMapper.STRING)
            .table("rate_limit_bucket")
            .build();
  }

  /**
   * Takes one from {@code caller}'s bucket for {@code rate}.
   *
   * @return empty when taken; otherwise how long until there is one again
   */
  public Optional<Duration> take(String caller, Rate rate) {
    // the rate is in the key: a changed setting starts a full bucket rather than keep the old rate
    String key = caller + "/" + rate.name() + "/" + rate.perMinute();
    ConsumptionProbe probe;
    try {
      probe = buckets.builder().build(key, rate::bucket).tryConsumeAndReturnRemaining(1);
    } catch (RuntimeException e) {
      throw new MetadataStoreException("taking from rate limit " + rate.name(), e);
    }
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }
}
