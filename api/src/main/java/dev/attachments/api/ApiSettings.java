package dev.attachments.api;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the API is told from outside; application.yml maps each to its ATTACHMENTS_* variable and holds
 * the defaults.
 *
 * @param maxSize largest attachment in bytes (413 above it)
 * @param allowedTypes media types a client may declare; {@code image/*} and other trailing-star entries match
 *     by prefix (415 otherwise)
 * @param apiKeys {@code owner:key,owner:key}; when empty the API makes one key for {@code dev} and logs it
 * @param s3Endpoint an S3-compatible server, or null for AWS itself
 * @param s3PublicEndpoint where clients reach that server, when it differs (a container network); else null
 */
@ConfigurationProperties("attachments")
public record ApiSettings(
    long maxSize,
    List<String> allowedTypes,
    Duration uploadTtl,
    Duration downloadTtl,
    @Nullable String apiKeys,
    String temporalTarget,
    String temporalNamespace,
    String taskQueue,
    String scanTaskQueue,
    String mediaTaskQueue,
    @Nullable String s3Endpoint,
    @Nullable String s3PublicEndpoint,
    String s3Region,
    @Nullable String s3AccessKey,
    @Nullable String s3SecretKey,
    String bucketIncoming,
    String bucketReleased) {

  /** The S3-compatible server the API talks to, if not AWS itself. */
  public Optional<URI> s3EndpointUri() {
    return uri(s3Endpoint);
  }

  /** Where presigned URLs send clients: the public endpoint, else the one we use. */
  public Optional<URI> s3PresignEndpointUri() {
    return uri(s3PublicEndpoint).or(this::s3EndpointUri);
  }

  private static Optional<URI> uri(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(URI.create(value.trim()));
  }
}
