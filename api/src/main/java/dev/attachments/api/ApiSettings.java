package dev.attachments.api;

import dev.attachments.storage.S3Connection;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.util.List;

/**
 * Everything the API is told from outside; application.yml maps each to its ATTACHMENTS_* variable
 * and holds the defaults.
 *
 * @param maxSize largest attachment in bytes (413 above it)
 * @param allowedTypes media types a client may declare; {@code image/*} and other trailing-star
 *     entries match by prefix (415 otherwise)
 * @param allowedExecutableExtensions extensions of files that run when opened ({@code exe}, {@code
 *     js}, ...) that file names may end in nonetheless; none by default
 * @param multipartThreshold files larger than this upload in parts
 * @param unscannablePolicy what becomes of a file the scanner cannot scan whole: {@code hold} it in
 *     quarantine for operators, or {@code reject} it
 * @param typeMismatchPolicy what becomes of a clean file whose bytes are not of the declared type:
 *     {@code reject} it, or {@code hold} it in quarantine for operators
 * @param uploadUrlTtl how long each presigned upload URL (single PUT or part) lives; a client that
 *     needs longer asks for fresh ones, until {@code uploadTtl} ends the upload window
 * @param giveUpAfter how long a storage, metadata or webhook step of a workflow is retried before
 *     the attachment is FAILED (the scan waits for clamd 12 hours regardless)
 * @param opsKeys {@code operator:key,...} for /v1/ops; empty means no operator access
 * @param apiKeys {@code owner:key,owner:key}; when empty the API makes one key for {@code dev} and
 *     logs it
 * @param s3Endpoint an S3-compatible server, or null for AWS itself
 * @param s3PublicEndpoint where clients reach that server, when it differs (a container network);
 *     else null
 * @param webhooksAllowHttp webhook endpoints may be plain http and internal addresses (the dev
 *     stack only)
 * @param cloudinaryUrl Cloudinary's account URL, to verify its notifications; null when not used
 * @param s3Accelerate presigned URLs use S3 Transfer Acceleration
 * @param s3Dualstack presigned URLs use the dual-stack endpoint
 */
@ConfigurationProperties("attachments")
public record ApiSettings(
    long maxSize,
    long multipartThreshold,
    String unscannablePolicy,
    String typeMismatchPolicy,
    List<String> allowedTypes,
    List<String> allowedExecutableExtensions,
    Duration uploadTtl,
    Duration uploadUrlTtl,
    Duration downloadTtl,
    Duration giveUpAfter,
    @Nullable String apiKeys,
    @Nullable String opsKeys,
    @Nullable String cloudinaryUrl,
    boolean webhooksAllowHttp,
    String webhookTaskQueue,
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
    boolean s3Accelerate,
    boolean s3Dualstack,
    String bucketIncoming,
    String bucketReleased,
    String bucketQuarantine) {

  public S3Connection s3() {
    return S3Connection.of(
        s3Endpoint,
        s3PublicEndpoint,
        s3Region,
        s3AccessKey,
        s3SecretKey,
        s3Accelerate,
        s3Dualstack);
  }
}
