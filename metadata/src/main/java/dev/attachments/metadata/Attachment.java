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
    Instant updatedAt) {

  /** Null fields until the attachment was scanned. */
  public record Scan(ScanVerdict verdict, String signature, String engine, Instant scannedAt) {}

  /** Null status until the attachment was released. */
  public record Preview(PreviewStatus status, String reason, Map<String, String> urls) {}

  public String objectKey() {
    return owner + "/" + id;
  }
}
