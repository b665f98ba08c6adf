package dev.attachments.metadata;

import dev.attachments.preview.PreviewStatus;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.workflow.AttachmentStatus;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** An attachment as the metadata store knows it: the row clients read through the API. */
public record Attachment(
    UUID id,
    String owner,
    String filename,
    String contentType,
    String detectedContentType,
    long size,
    String declaredSha256,
    String sha256,
    AttachmentStatus status,
    String statusReason,
    Scan scan,
    Preview preview,
    Instant uploadExpiresAt,
    Instant createdAt,
    Instant updatedAt,
    Multipart multipart) {

  /**
   * Null fields until the attachment was scanned.
   *
   * @param etag the held object the verdict is about; null for verdicts from before uploads were
   *     held
   */
  public record Scan(
      ScanVerdict verdict, String signature, String engine, Instant scannedAt, String etag) {}

  /** Null status until the attachment was released. */
  public record Preview(
      PreviewStatus status, String reason, Map<String, String> urls, Integer pages) {}

  /** How a large file is uploaded in parts; null for a single PUT. */
  public record Multipart(String uploadId, long partSize) {
    public int partCount(long size) {
      return (int) ((size + partSize - 1) / partSize);
    }

    /** Bytes in part {@code number} (1-based): the part size, except for a shorter last part. */
    public long partLength(long size, int number) {
      return Math.min(partSize, size - (number - 1L) * partSize);
    }
  }

  public String objectKey() {
    return owner + "/" + id;
  }
}
