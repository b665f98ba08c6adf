package dev.attachments.api.attachments;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.attachments.metadata.AttachmentView;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.SerdeImport;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies the API answers. The attachment itself is {@link AttachmentView}, shared with the
 * webhook payloads.
 */
@SerdeImport(AttachmentView.class)
@SerdeImport(AttachmentView.Scan.class)
@SerdeImport(AttachmentView.Preview.class)
@SerdeImport(AttachmentView.Audit.class)
public final class Views {

  /**
   * How to upload before {@code expiresAt}: {@code single}, one request with exactly this method,
   * URL and headers; or {@code multipart}, {@code partCount} parts of {@code partSize} bytes (the
   * last one shorter) whose URLs come from {@code POST /v1/attachments/{id}/parts}.
   */
  @Serdeable
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Upload(
      String mode,
      @Nullable String method,
      @Nullable String url,
      @Nullable Map<String, String> headers,
      @Nullable Long partSize,
      @Nullable Integer partCount,
      Instant expiresAt) {
    static Upload single(String url, Map<String, String> headers, Instant expiresAt) {
      return new Upload("single", "PUT", url, headers, null, null, expiresAt);
    }

    static Upload multipart(long partSize, int partCount, Instant expiresAt) {
      return new Upload("multipart", null, null, null, partSize, partCount, expiresAt);
    }
  }

  /** One part's presigned PUT: send exactly these headers. */
  @Serdeable
  public record PartUpload(
      int partNumber, String method, String url, Map<String, String> headers) {}

  @Serdeable
  public record PartUploads(List<PartUpload> parts, Instant expiresAt) {}

  /** A part S3 already holds. */
  @Serdeable
  public record StoredPart(int partNumber, long size, String etag) {}

  @Serdeable
  public record StoredParts(List<StoredPart> parts, int partCount, long partSize) {}

  @Serdeable
  public record Created(String id, String status, Upload upload) {}

  @Serdeable
  public record Completed(String id, String status) {}

  @Serdeable
  public record Download(String url, Instant expiresAt) {}

  @Serdeable
  public record Listing(List<AttachmentView> items, @Nullable String nextCursor) {}

  private Views() {}
}
