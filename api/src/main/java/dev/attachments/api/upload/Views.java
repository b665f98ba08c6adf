package dev.attachments.api.upload;

import dev.attachments.metadata.Attachment;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON bodies the API answers. */
public final class Views {

  /** How to upload: exactly this method, URL and headers, before {@code expiresAt}. */
  @Serdeable
  public record Upload(String mode, String method, String url, Map<String, String> headers, Instant expiresAt) {}

  @Serdeable
  public record Created(String id, String status, Upload upload) {}

  @Serdeable
  public record Completed(String id, String status) {}

  @Serdeable
  public record Download(String url, Instant expiresAt) {}

  @Serdeable
  public record Scan(String verdict, @Nullable String signature, @Nullable String engine, @Nullable Instant scannedAt) {}

  @Serdeable
  public record Preview(String status, Map<String, String> urls, @Nullable String reason) {}

  /** An attachment as its owner sees it. */
  @Serdeable
  public record AttachmentView(
      String id,
      String filename,
      String contentType,
      @Nullable String detectedContentType,
      long size,
      @Nullable String sha256,
      String status,
      @Nullable String reason,
      @Nullable Scan scan,
      @Nullable Preview preview,
      Instant createdAt,
      Instant updatedAt) {

    static AttachmentView of(Attachment a) {
      return new AttachmentView(
          a.id().toString(),
          a.filename(),
          a.contentType(),
          a.detectedContentType(),
          a.size(),
          a.sha256() != null ? a.sha256() : a.declaredSha256(),
          a.status().name(),
          a.statusReason(),
          a.scan() == null
              ? null
              : new Scan(a.scan().verdict().name(), a.scan().signature(), a.scan().engine(), a.scan().scannedAt()),
          a.preview() == null
              ? null
              : new Preview(a.preview().status().name(), a.preview().urls(), a.preview().reason()),
          a.createdAt(),
          a.updatedAt());
    }
  }

  @Serdeable
  public record Listing(List<AttachmentView> items, @Nullable String nextCursor) {}

  private Views() {}
}
