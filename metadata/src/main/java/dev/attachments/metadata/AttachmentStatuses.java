package dev.attachments.metadata;

import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.scan.ScanResult;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** What the attachment's workflow publishes as it goes: status, verdict, previews. */
public class AttachmentStatuses {
  private static final String FINAL_STATUSES =
      Arrays.stream(AttachmentStatus.values())
          .filter(AttachmentStatus::isFinal)
          .map(s -> "'" + s.name() + "'")
          .collect(Collectors.joining(", "));

  private final Store store;

  public AttachmentStatuses(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /**
   * What a publication changed, for the worker's meters: a retried or replayed write sees the row
   * as the first one left it, so each change is seen once.
   *
   * @param before the status the row had
   * @param processingSince when the attachment last became PROCESSING, null if it never did
   * @param previewBefore the preview status the row had, null before the first preview
   */
  public record Change(
      AttachmentStatus before, Instant processingSince, PreviewStatus previewBefore) {}

  /**
   * Writes what the workflow knows. Idempotent, and monotonic: once final, a status is never
   * replaced by another, so a retried or replayed activity cannot move an attachment backwards.
   *
   * @return what the row was before, or empty when it was not written
   */
  public Optional<Change> publish(AttachmentState state) {
    ScanResult scan = state.scan();
    Preview preview = state.preview();
    UUID id = UUID.fromString(state.attachmentId());
    return store.inTransaction(
        "could not publish attachment " + id,
        handle -> {
          Optional<Change> change =
              handle
                  .createQuery(
                      "with before as (select status as status_before, processing_since as since_before,"
                          + " preview_status as preview_before from attachment where id = :id"
                          + " for update)"
                          + " update attachment a set status = :status, status_reason = :reason,"
                          + " sha256 = coalesce(:sha256, sha256),"
                          + " detected_content_type = coalesce(:detectedType, detected_content_type),"
                          + " scan_verdict = coalesce(:verdict, scan_verdict),"
                          + " scan_signature = coalesce(:signature, scan_signature),"
                          + " scan_engine = coalesce(:engine, scan_engine),"
                          + " scanned_at = coalesce(:scannedAt, scanned_at),"
                          + " scan_etag = coalesce(:etag, scan_etag),"
                          // a deleted attachment has no preview left
                          + " preview_status = case when :status = 'DELETED' then null"
                          + " else coalesce(:previewStatus, preview_status) end,"
                          + " preview_reason = :previewReason,"
                          + " preview_pages = case when :status = 'DELETED' then null"
                          + " else coalesce(:pages, preview_pages) end, updated_at = now(),"
                          + " processing_since = case when :status = 'PROCESSING'"
                          + " and status_before <> 'PROCESSING' then now()"
                          + " else a.processing_since end"
                          + " from before where a.id = :id and (status_before not in ("
                          + FINAL_STATUSES
                          + ") or status_before = :status)"
                          + " returning status_before, since_before, preview_before")
                  .bind("status", state.status().name())
                  .bind("reason", state.reason())
                  .bind("sha256", scan == null ? null : scan.sha256())
                  .bind("detectedType", scan == null ? null : scan.detectedContentType())
                  .bind("verdict", scan == null ? null : scan.verdict().name())
                  .bind("signature", scan == null ? null : scan.signature())
                  .bind("engine", scan == null ? null : scan.engine())
                  .bind("scannedAt", Store.timestamp(scan == null ? null : scan.scannedAt()))
                  .bind("etag", scan == null ? null : scan.etag())
                  .bind("previewStatus", preview == null ? null : preview.status().name())
                  .bind("previewReason", preview == null ? null : preview.reason())
                  .bind("pages", preview == null ? null : preview.pages())
                  .bind("id", id)
                  .map(
                      (row, context) -> {
                        java.sql.Timestamp since = row.getTimestamp("since_before");
                        String previewBefore = row.getString("preview_before");
                        return new Change(
                            AttachmentStatus.valueOf(row.getString("status_before")),
                            since == null ? null : since.toInstant(),
                            previewBefore == null ? null : PreviewStatus.valueOf(previewBefore));
                      })
                  .findOne();
          if (change.isPresent()
              && (preview != null || state.status() == AttachmentStatus.DELETED)) {
            writePreviewUrls(handle, id, preview == null ? Map.of() : preview.urls());
          }
          return change;
        });
  }

  /** The preview's URLs replace whatever was there: a preview that failed after all keeps none. */
  private static void writePreviewUrls(Handle handle, UUID id, Map<String, String> urls) {
    handle
        .createUpdate("delete from attachment_preview where attachment_id = :id")
        .bind("id", id)
        .execute();
    PreparedBatch upsert =
        handle.prepareBatch(
            "insert into attachment_preview (attachment_id, name, url) values (:id, :name, :url)"
                + " on conflict (attachment_id, name) do update set url = excluded.url");
    urls.forEach((name, url) -> upsert.bind("id", id).bind("name", name).bind("url", url).add());
    if (!urls.isEmpty()) {
      upsert.execute();
    }
  }
}
