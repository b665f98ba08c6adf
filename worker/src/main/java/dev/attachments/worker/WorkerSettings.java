package dev.attachments.worker;

import dev.attachments.frontend.TemporalSecurity;
import dev.attachments.storage.S3Connection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.validation.annotation.Validated;

/**
 * Everything the worker is told from outside, one record per concern, validated when bound (a value
 * out of range stops the worker at start-up, naming the setting); application.yml maps each to its
 * ATTACHMENTS_* variable and is the one home of the defaults. The API's settings have the same
 * shape.
 *
 * @param readyFile written once the workers poll, so that a launcher knows (empty: none)
 */
@ConfigurationProperties(prefix = "attachments")
@Validated
public record WorkerSettings(
    @NotNull @Valid S3 s3,
    @NotNull @Valid Buckets buckets,
    @NotNull @Valid Clamd clamd,
    @NotNull @Valid Copy copy,
    @NotNull @Valid Cloudinary cloudinary,
    @NotNull @Valid Previews previews,
    @NotNull @Valid Webhooks webhooks,
    @NotNull @Valid Retention retention,
    @NotNull Temporal temporal,
    Path readyFile) {

  /**
   * A frontend that asks for more than a plain connection (the target and namespace are the
   * starter's, spring.temporal.*).
   */
  public record Temporal(boolean tls, String apiKey, Path tlsCert, Path tlsKey) {
    public TemporalSecurity security() {
      return new TemporalSecurity(tls, apiKey, tlsCert, tlsKey);
    }

    @Override
    public String toString() {
      return security().toString();
    }
  }

  /**
   * The retention workflow's sweeps.
   *
   * @param every how long between two sweeps
   * @param quarantineFor how long a quarantined file is kept after its verdict
   * @param incomingFor how long anything may stay in the incoming bucket: the upload window
   *     (ATTACHMENTS_UPLOAD_TTL, which the API uses too) and an hour
   * @param pageSize attachments or objects per activity
   */
  public record Retention(
      @NotNull java.time.Duration every,
      @NotNull java.time.Duration quarantineFor,
      @NotNull java.time.Duration incomingFor,
      @jakarta.validation.constraints.Positive int pageSize) {
    /** A bare number binds as milliseconds: a retention that short would delete what is kept. */
    public Retention {
      if (quarantineFor != null && quarantineFor.compareTo(java.time.Duration.ofDays(1)) < 0) {
        throw new IllegalArgumentException(
            "attachments.retention.quarantine-for (ATTACHMENTS_QUARANTINE_RETENTION) is "
                + quarantineFor
                + "; it must be at least 1d (30d by default)");
      }
      if (incomingFor != null && incomingFor.compareTo(java.time.Duration.ofHours(2)) < 0) {
        throw new IllegalArgumentException(
            "attachments.retention.incoming-for (ATTACHMENTS_INCOMING_RETENTION) is "
                + incomingFor
                + "; it must be at least 2h and above the upload window (25h by default)");
      }
    }
  }

  /**
   * @param allowHttp plain http and internal addresses for webhook endpoints: the dev stack only
   */
  public record Webhooks(boolean allowHttp) {}

  /**
   * @param endpoint empty for AWS itself; an S3-compatible server's URL otherwise
   */
  public record S3(
      String endpoint,
      String publicEndpoint,
      @NotBlank String region,
      String accessKey,
      String secretKey,
      boolean accelerate,
      boolean dualstack) {
    public S3Connection connection() {
      return S3Connection.of(
          endpoint, publicEndpoint, region, accessKey, secretKey, accelerate, dualstack);
    }
  }

  public record Buckets(
      @NotBlank String incoming, @NotBlank String released, @NotBlank String quarantine) {}

  /**
   * @param maxStream clamd's StreamMaxLength in bytes: larger files are UNSCANNABLE without
   *     streaming
   * @param maxSignatureAge the oldest signature database whose verdicts count ({@code 3d}, {@code
   *     12h}), or {@code off} to take any, dated or not (the embedded stack's offline database has
   *     no date)
   */
  public record Clamd(
      @NotBlank String host,
      @Min(1) @Max(65535) int port,
      @NotNull Duration connectTimeout,
      @NotNull Duration readTimeout,
      @Positive long maxStream,
      @NotBlank String maxSignatureAge) {

    public Clamd {
      signatureAgeLimit(maxSignatureAge); // a value that means nothing stops the worker at start-up
    }

    /** The allowed age, or null when any database will do. */
    public Duration signatureAgeLimit() {
      return signatureAgeLimit(maxSignatureAge);
    }

    private static Duration signatureAgeLimit(String value) {
      if (value.equalsIgnoreCase("off")) {
        return null;
      }
      try {
        return DurationStyle.detectAndParse(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "ATTACHMENTS_MAX_SIGNATURE_AGE must be a duration such as 3d or 12h, or off; it is '"
                + value
                + "'",
            e);
      }
    }
  }

  /**
   * @param multipartThreshold objects above it are copied server-side in parallel parts
   */
  public record Copy(
      @Positive long multipartThreshold,
      @Min(5 * 1024 * 1024) long partSize,
      @Positive int parallelism) {}

  /**
   * @param url {@code cloudinary://key:secret@cloud}; empty means previews are made locally
   * @param notificationUrl the API's {@code /v1/hooks/cloudinary} as Cloudinary reaches it; empty:
   *     no asynchronous derivatives
   * @param asyncAbove videos larger than this are transformed asynchronously
   */
  public record Cloudinary(
      String url,
      @NotNull Duration fetchWindow,
      String notificationUrl,
      @Positive long asyncAbove) {
    public boolean isConfigured() {
      return url != null && !url.isBlank();
    }

    public java.net.URI notificationUri() {
      return notificationUrl == null || notificationUrl.isBlank()
          ? null
          : java.net.URI.create(notificationUrl);
    }
  }

  /**
   * @param mode {@code local} (the default without Cloudinary) or {@code off}
   * @param ffmpeg the ffmpeg binary for video posters; when it cannot be run, videos get no preview
   */
  public record Previews(
      @NotNull @Pattern(regexp = "(?i)local|off") String mode,
      @NotBlank String ffmpeg,
      @Positive long maxPixels,
      @Positive long maxSourceBytes,
      @NotNull Duration renderTimeout) {}
}
