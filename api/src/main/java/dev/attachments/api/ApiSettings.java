package dev.attachments.api;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Everything the API is told from outside; application.yml maps each to its ATTACHMENTS_* variable and holds
 * the defaults.
 *
 * @param maxSize largest attachment in bytes (413 above it)
 * @param allowedTypes media types a client may declare; {@code image/*} and other trailing-star entries match
 *     by prefix (415 otherwise)
 * @param apiKeys {@code owner:key,owner:key}; when empty the API makes one key for {@code dev} and logs it
 * @param s3Endpoint an S3-compatible server, or null for AWS itself
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
    @Nullable URI s3Endpoint,
    String s3Region,
    @Nullable String s3AccessKey,
    @Nullable String s3SecretKey,
    String bucketIncoming,
    String bucketReleased) {}
