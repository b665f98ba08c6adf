package dev.attachments.api.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.attachments.metadata.Attachment;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON bodies the API answers. */
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
  public record Scan(
      String verdict,
      @Nullable String signature,
      @Nullable String engine,
      @Nullable Instant scannedAt) {}

  @Serdeable
  public record Preview(
      String status, Map<String, String> urls, @Nullable String reason, @Nullable Integer pages) {}

  /**
   * An attachment as its owner sees it. What the client declared ({@code contentType}, {@code
   * declaredSha256}) and what the scan found in the bytes ({@code detectedContentType}, {@code
   * sha256}) are separate fields; the found ones are null until the scan.
   */
  @Serdeable
  public record AttachmentView(
      String id,
      String filename,
      String contentType,
      @Nullable String detectedContentType,
      long size,
      @Nullable String declaredSha256,
      @Nullable String sha256,
      String status,
      @Nullable String reason,
      @Nullable Scan scan,
      @Nullable Preview preview,
      Instant createdAt,
      Instant updatedAt,
      @Nullable List<Audit> audit) {

    /** The same view with what operators did to it. */
    AttachmentView withAudit(List<Audit> entries) {
      return new AttachmentView(
          id,
          filename,
          contentType,
          detectedContentType,
          size,
          declaredSha256,
          sha256,
          status,
          reason,
          scan,
          preview,
          createdAt,
          updatedAt,
          entries);
    }

    /**
     * @param previewUrl turns a stored preview reference into a URL the client can fetch
     */
    static AttachmentView of(Attachment a, java.util.function.UnaryOperator<String> previewUrl) {
      return new AttachmentView(
          a.id().toString(),
          a.filename(),
          a.contentType(),
          a.detectedContentType(),
          a.size(),
          a.declaredSha256(),
          a.sha256(),
          a.status().name(),
          a.statusReason(),
          a.scan() == null
              ? null
              : new Scan(
                  a.scan().verdict().name(),
                  a.scan().signature(),
                  a.scan().engine(),
                  a.scan().scannedAt()),
          a.preview() == null
              ? null
              : new Preview(
                  a.preview().status().name(),
                  a.preview().urls().entrySet().stream()
                      .collect(
                          java.util.stream.Collectors.toMap(
                              Map.Entry::getKey,
                              e -> previewUrl.apply(e.getValue()),
                              (x, y) -> x,
                              java.util.TreeMap::new)),
                  a.preview().reason(),
                  a.preview().pages()),
          a.createdAt(),
          a.updatedAt(),
          null);
    }
  }

  /** Something an operator did to the attachment: who, when, why. */
  @Serdeable
  public record Audit(String action, String actor, String reason, Instant at) {}

  @Serdeable
  public record Listing(List<AttachmentView> items, @Nullable String nextCursor) {}

  private Views() {}
}
