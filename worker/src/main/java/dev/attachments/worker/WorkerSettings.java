package dev.attachments.worker;

import dev.attachments.storage.S3Connection;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;

/**
 * Everything the worker is told from outside; application.yml maps each to its ATTACHMENTS_*
 * variable.
 *
 * @param readyFile written once the workers poll, so that a launcher knows (empty: none)
 */
@ConfigurationProperties(prefix = "attachments")
public record WorkerSettings(
    S3 s3,
    Buckets buckets,
    Clamd clamd,
    Copy copy,
    Cloudinary cloudinary,
    Previews previews,
    Webhooks webhooks,
    Path readyFile) {

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
      @DefaultValue("us-east-1") String region,
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
      @DefaultValue("attachments-incoming") String incoming,
      @DefaultValue("attachments-released") String released,
      @DefaultValue("attachments-quarantine") String quarantine) {}

  /**
   * @param maxStream clamd's StreamMaxLength in bytes: larger files are UNSCANNABLE without
   *     streaming
   * @param maxSignatureAge the oldest signature database whose verdicts count ({@code 3d}, {@code
   *     12h}), or {@code off} to take any, dated or not (the embedded stack's offline database has
   *     no date)
   */
  public record Clamd(
      @DefaultValue("127.0.0.1") String host,
      @DefaultValue("3310") int port,
      @DefaultValue("5s") Duration connectTimeout,
      @DefaultValue("5m") Duration readTimeout,
      @DefaultValue("2146435072") long maxStream,
      @DefaultValue("3d") String maxSignatureAge) {

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
      @DefaultValue("5368709120") long multipartThreshold,
      @DefaultValue("536870912") long partSize,
      @DefaultValue("8") int parallelism) {}

  /**
   * @param url {@code cloudinary://key:secret@cloud}; empty means previews are made locally
   * @param notificationUrl the API's {@code /v1/hooks/cloudinary} as Cloudinary reaches it; empty:
   *     no asynchronous derivatives
   * @param asyncAbove videos larger than this are transformed asynchronously
   */
  public record Cloudinary(
      String url,
      @DefaultValue("15m") Duration fetchWindow,
      String notificationUrl,
      @DefaultValue("104857600") long asyncAbove) {
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
      @DefaultValue("local") String mode,
      @DefaultValue("ffmpeg") String ffmpeg,
      @DefaultValue("100000000") long maxPixels,
      @DefaultValue("268435456") long maxSourceBytes,
      @DefaultValue("60s") Duration renderTimeout) {}
}
