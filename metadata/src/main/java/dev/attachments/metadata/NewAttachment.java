package dev.attachments.metadata;

import java.time.Instant;
import java.util.UUID;

/**
 * An attachment as the API creates it, before any byte has arrived.
 *
 * @param multipartUploadId the S3 multipart upload the parts go to, or null for a single PUT
 * @param partSize bytes in every part but the last, or null for a single PUT
 * @param uploadTokenId the upload token that creates it, one of whose uploads it takes; null when
 *     the owner's key does
 */
public record NewAttachment(
    UUID id,
    String owner,
    String filename,
    String contentType,
    long size,
    String declaredSha256,
    String idempotencyKey,
    Instant uploadExpiresAt,
    Instant createdAt,
    String multipartUploadId,
    Long partSize,
    UUID uploadTokenId) {
  /** Created with the owner's key. */
  public NewAttachment(
      UUID id,
      String owner,
      String filename,
      String contentType,
      long size,
      String declaredSha256,
      String idempotencyKey,
      Instant uploadExpiresAt,
      Instant createdAt,
      String multipartUploadId,
      Long partSize) {
    this(
        id,
        owner,
        filename,
        contentType,
        size,
        declaredSha256,
        idempotencyKey,
        uploadExpiresAt,
        createdAt,
        multipartUploadId,
        partSize,
        null);
  }
}
