package dev.attachments.metadata;

import jakarta.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * An attachment as clients read it, defined once: the body of {@code GET /v1/attachments/{id}},
 * each item of the listings (the operators' adds the owner) and the {@code attachment} of every
 * webhook payload. What the client declared ({@code contentType}, {@code declaredSha256}) and what
 * the scan found in the bytes ({@code detectedContentType}, {@code sha256}) are separate fields;
 * the found ones are null until the scan. {@code audit} is filled only by {@code GET
 * /v1/attachments/{id}}.
 */
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

  /** The verdict; null fields (and a null scan) until the attachment was scanned. */
  public record Scan(
      @Nullable String verdict,
      @Nullable String signature,
      @Nullable String engine,
      @Nullable Instant scannedAt) {}

  /** The previews, by name, as URLs a client fetches; null until the attachment was released. */
  public record Preview(
      String status,
      @Nullable Map<String, String> urls,
      @Nullable String reason,
      @Nullable Integer pages) {}

  /** Something an operator did to the attachment: who, when, why. */
  public record Audit(String action, String actor, @Nullable String reason, Instant at) {}

  /**
   * @param previewUrl turns a stored preview reference into a URL the client can fetch
   */
  public static AttachmentView of(Attachment a, UnaryOperator<String> previewUrl) {
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
        a.preview() == null ? null : preview(a.preview(), previewUrl),
        a.createdAt(),
        a.updatedAt(),
        null);
  }

  private static Preview preview(Attachment.Preview stored, UnaryOperator<String> previewUrl) {
    Map<String, String> urls = new TreeMap<>();
    stored.urls().forEach((name, reference) -> urls.put(name, previewUrl.apply(reference)));
    return new Preview(stored.status().name(), urls, stored.reason(), stored.pages());
  }

  /** The same view with what operators did to the attachment. */
  public AttachmentView withAudit(List<OperatorActions.AuditEntry> entries) {
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
        entries.stream().map(e -> new Audit(e.action(), e.actor(), e.reason(), e.at())).toList());
  }
}
