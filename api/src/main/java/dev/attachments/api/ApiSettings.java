package dev.attachments.api;

import dev.attachments.frontend.TemporalSecurity;
import dev.attachments.storage.S3Connection;
import dev.attachments.workflow.TaskQueues;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;

/**
 * Everything the API is told from outside, one type per concern, each validated when it is bound (a
 * value out of range stops the API at start-up, naming the setting). application.yml maps each
 * setting to its ATTACHMENTS_* variable and is the one home of the defaults; the worker's settings
 * have the same shape.
 */
public final class ApiSettings {

  /**
   * What a client may upload, and for how long.
   *
   * @param maxSize largest attachment in bytes (413 above it)
   * @param multipartThreshold files larger than this upload in parts
   * @param allowedTypes media types a client may declare; {@code image/*} and other trailing-star
   *     entries match by prefix (415 otherwise)
   * @param allowedExecutableExtensions extensions of files that run when opened ({@code exe},
   *     {@code js}, ...) that file names may end in nonetheless; none by default
   * @param window how long an upload stays open
   * @param urlTtl how long each presigned upload URL (single PUT or part) lives; a client that
   *     needs longer asks for fresh ones, until the window ends
   * @param maxPending uploads one owner may have awaiting their bytes at once
   * @param maxBytesInFlight bytes one owner may have uploading or processing at once
   */
  @ConfigurationProperties("attachments.uploads")
  public record Uploads(
      @Positive long maxSize,
      @Positive int maxPending,
      @Positive long maxBytesInFlight,
      @Positive long multipartThreshold,
      @NotEmpty List<String> allowedTypes,
      @NotNull List<String> allowedExecutableExtensions,
      @NotNull Duration window,
      @NotNull Duration urlTtl) {}

  /**
   * How many of each costly request one owner may make a minute; a burst may spend a minute's worth
   * at once, then the bucket refills evenly.
   *
   * @param uploadUrlsPerMinute calls for fresh upload URLs (a single PUT's or a batch of parts')
   *     and for the list of parts S3 holds
   */
  @ConfigurationProperties("attachments.rates")
  public record Rates(
      @Positive long createsPerMinute,
      @Positive long uploadUrlsPerMinute,
      @Positive long completesPerMinute,
      @Positive long redeliveriesPerMinute,
      @Positive long webhookRegistrationsPerMinute,
      @Positive long uploadTokensPerMinute,
      @Positive long deletesPerMinute) {}

  /**
   * @param urlTtl how long a download (or preview) URL lives
   */
  @ConfigurationProperties("attachments.downloads")
  public record Downloads(@NotNull Duration urlTtl) {}

  /**
   * How the attachment's workflow treats what it cannot settle alone; each run keeps the values it
   * started with.
   *
   * @param unscannablePolicy what becomes of a file the scanner cannot scan whole: {@code hold} it
   *     in quarantine for operators, or {@code reject} it
   * @param typeMismatchPolicy what becomes of a clean file whose bytes are not of the declared
   *     type: {@code reject} it, or {@code hold} it in quarantine for operators
   * @param giveUpAfter how long a storage, metadata or webhook step of a workflow is retried before
   *     the attachment is FAILED (the scan waits for clamd 12 hours regardless)
   */
  @ConfigurationProperties("attachments.processing")
  public record Processing(
      @NotNull @Pattern(regexp = "(?i)\\s*(hold|reject)\\s*") String unscannablePolicy,
      @NotNull @Pattern(regexp = "(?i)\\s*(hold|reject)\\s*") String typeMismatchPolicy,
      @NotNull Duration giveUpAfter) {}

  /**
   * @param api the owners' key entries, {@code owner:id:sha256:created[:expires],...} (see {@code
   *     AccessKeys}); required, several per owner allowed
   * @param ops the operators' key entries for /v1/ops, in the same form; empty means no operator
   *     access
   */
  @ConfigurationProperties("attachments.keys")
  public record Keys(@Nullable String api, @Nullable String ops) {}

  /**
   * @param endpoint an S3-compatible server, or empty for AWS itself
   * @param publicEndpoint where clients reach that server, when it differs (a container network)
   * @param accelerate presigned URLs use S3 Transfer Acceleration
   * @param dualstack presigned URLs use the dual-stack endpoint
   */
  @ConfigurationProperties("attachments.s3")
  public record S3(
      @Nullable String endpoint,
      @Nullable String publicEndpoint,
      @NotBlank String region,
      @Nullable String accessKey,
      @Nullable String secretKey,
      boolean accelerate,
      boolean dualstack) {
    public S3Connection connection() {
      return S3Connection.of(
          endpoint, publicEndpoint, region, accessKey, secretKey, accelerate, dualstack);
    }
  }

  @ConfigurationProperties("attachments.buckets")
  public record Buckets(
      @NotBlank String incoming, @NotBlank String released, @NotBlank String quarantine) {}

  /**
   * The Temporal service and the queues of this stack's workers.
   *
   * @param webhooksQueue where the webhook delivery workflows run
   * @param recoveryQueue where the recovery workflow runs: the API's own worker polls it
   */
  @ConfigurationProperties("attachments.temporal")
  public record Temporal(
      @NotBlank String target,
      @NotBlank String namespace,
      @NotBlank String mainQueue,
      @NotBlank String scanQueue,
      @NotBlank String mediaQueue,
      @NotBlank String webhooksQueue,
      @NotBlank String recoveryQueue,
      boolean tls,
      String apiKey,
      String tlsCert,
      String tlsKey) {
    public TaskQueues queues() {
      return new TaskQueues(mainQueue, scanQueue, mediaQueue);
    }

    /** TLS, a Temporal Cloud API key or a client certificate, as set. */
    public TemporalSecurity security() {
      return new TemporalSecurity(
          tls,
          apiKey,
          tlsCert == null ? null : java.nio.file.Path.of(tlsCert),
          tlsKey == null ? null : java.nio.file.Path.of(tlsKey));
    }

    @Override
    public String toString() {
      return "Temporal[target=" + target + ", namespace=" + namespace + ", " + security() + "]";
    }
  }

  /**
   * The recovery workflow's rounds through the unfinished attachments.
   *
   * @param enabled this API polls the recovery workflow's queue and starts it; at least one API
   *     must
   * @param every how long between two rounds (an API that starts asks for one at once)
   * @param pageSize attachments looked at per activity
   */
  @ConfigurationProperties("attachments.recovery")
  public record Recovery(boolean enabled, @NotNull Duration every, @Positive int pageSize) {}

  /**
   * @param allowHttp webhook endpoints may be plain http and internal addresses (the dev stack
   *     only)
   */
  @ConfigurationProperties("attachments.webhooks")
  public record Webhooks(boolean allowHttp) {}

  /**
   * @param url Cloudinary's account URL, to verify its notifications; empty when not used
   */
  @ConfigurationProperties("attachments.cloudinary")
  public record Cloudinary(@Nullable String url) {
    public boolean isConfigured() {
      return url != null && !url.isBlank();
    }
  }

  private ApiSettings() {}
}
