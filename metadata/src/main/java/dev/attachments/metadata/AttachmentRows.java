package dev.attachments.metadata;

import dev.attachments.preview.PreviewStatus;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.workflow.AttachmentStatus;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;

/** An attachment's row, with its previews, as the stores select and read it. */
final class AttachmentRows {
  /** The columns of {@code attachment a} that {@link #MAPPER} reads. */
  static final String COLUMNS =
      "id, owner, filename, content_type, detected_content_type, size, declared_sha256, sha256, status,"
          + " status_reason, scan_verdict, scan_signature, scan_engine, scanned_at, scan_etag, preview_status,"
          + " preview_reason, preview_pages, upload_expires_at, created_at, updated_at, multipart_upload_id, part_size,"
          + " array(select p.name from attachment_preview p where p.attachment_id = a.id order by p.name)"
          + " as preview_names,"
          + " array(select p.url from attachment_preview p where p.attachment_id = a.id order by p.name)"
          + " as preview_urls";

  static final String SELECT = "select " + COLUMNS + " from attachment a";

  static final RowMapper<Attachment> MAPPER = (row, context) -> map(row);

  private static Attachment map(ResultSet row) throws SQLException {
    String verdict = row.getString("scan_verdict");
    String previewStatus = row.getString("preview_status");
    return new Attachment(
        row.getObject("id", UUID.class),
        row.getString("owner"),
        row.getString("filename"),
        row.getString("content_type"),
        row.getString("detected_content_type"),
        row.getLong("size"),
        row.getString("declared_sha256"),
        row.getString("sha256"),
        AttachmentStatus.valueOf(row.getString("status")),
        row.getString("status_reason"),
        verdict == null
            ? null
            : new Attachment.Scan(
                ScanVerdict.valueOf(verdict),
                row.getString("scan_signature"),
                row.getString("scan_engine"),
                instant(row, "scanned_at"),
                row.getString("scan_etag")),
        previewStatus == null
            ? null
            : new Attachment.Preview(
                PreviewStatus.valueOf(previewStatus),
                row.getString("preview_reason"),
                previewUrls(row),
                (Integer) row.getObject("preview_pages")),
        instant(row, "upload_expires_at"),
        instant(row, "created_at"),
        instant(row, "updated_at"),
        row.getString("multipart_upload_id") == null
            ? null
            : new Attachment.Multipart(
                row.getString("multipart_upload_id"), row.getLong("part_size")));
  }

  private static Map<String, String> previewUrls(ResultSet row) throws SQLException {
    String[] names = (String[]) row.getArray("preview_names").getArray();
    String[] urls = (String[]) row.getArray("preview_urls").getArray();
    Map<String, String> byName = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      byName.put(names[i], urls[i]);
    }
    return byName;
  }

  static Instant instant(ResultSet row, String column) throws SQLException {
    Timestamp timestamp = row.getTimestamp(column);
    return timestamp == null ? null : timestamp.toInstant();
  }

  /** Where the next page starts: after this (created_at, id). */
  record Cursor(Instant createdAt, UUID id) {
    String format() {
      String plain = createdAt.getEpochSecond() + "." + createdAt.getNano() + "." + id;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor parse(String cursor) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        String[] parts = plain.split("\\.", 3);
        return new Cursor(
            Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
            UUID.fromString(parts[2]));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor is not one this service handed out", e);
      }
    }
  }

  private AttachmentRows() {}
}
