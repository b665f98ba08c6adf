package dev.attachments.metadata;

import dev.attachments.preview.PreviewStatus;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The metadata store over PostgreSQL: the API creates and reads attachments here, the worker
 * publishes each step of their processing here. Plain JDBC: a dozen statements do not need a
 * mapping framework.
 */
public class AttachmentRepository {
  private static final String COLUMNS =
      "id, owner, filename, content_type, detected_content_type, size, declared_sha256, sha256, status,"
          + " status_reason, scan_verdict, scan_signature, scan_engine, scanned_at, scan_etag, preview_status,"
          + " preview_reason, preview_pages, upload_expires_at, created_at, updated_at, multipart_upload_id, part_size,"
          + " array(select p.name from attachment_preview p where p.attachment_id = a.id order by p.name)"
          + " as preview_names,"
          + " array(select p.url from attachment_preview p where p.attachment_id = a.id order by p.name)"
          + " as preview_urls";

  private static final String FINAL_STATUSES =
      Arrays.stream(AttachmentStatus.values())
          .filter(AttachmentStatus::isFinal)
          .map(s -> "'" + s.name() + "'")
          .collect(Collectors.joining(", "));

  private final DataSource dataSource;

  public AttachmentRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Creates the attachment, or answers the one the owner already created with the same idempotency
   * key.
   *
   * @return the stored attachment, and whether this call created it
   */
  public Created create(NewAttachment attachment) {
    String sql =
        "insert into attachment (id, owner, filename, content_type, size, declared_sha256, idempotency_key,"
            + " status, upload_expires_at, created_at, updated_at, multipart_upload_id, part_size)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " on conflict (owner, idempotency_key) do nothing";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement(sql)) {
      Timestamp created = Timestamp.from(truncate(attachment.createdAt()));
      insert.setObject(1, attachment.id());
      insert.setString(2, attachment.owner());
      insert.setString(3, attachment.filename());
      insert.setString(4, attachment.contentType());
      insert.setLong(5, attachment.size());
      insert.setString(6, attachment.declaredSha256());
      insert.setString(7, attachment.idempotencyKey());
      insert.setString(8, AttachmentStatus.AWAITING_UPLOAD.name());
      insert.setTimestamp(9, Timestamp.from(attachment.uploadExpiresAt()));
      insert.setTimestamp(10, created);
      insert.setTimestamp(11, created);
      insert.setString(12, attachment.multipartUploadId());
      insert.setObject(13, attachment.partSize());
      boolean inserted = insert.executeUpdate() == 1;
      if (inserted) {
        return new Created(
            find(connection, attachment.owner(), attachment.id()).orElseThrow(), true);
      }
      try (PreparedStatement existing =
          connection.prepareStatement(
              "select " + COLUMNS + " from attachment a where owner = ? and idempotency_key = ?")) {
        existing.setString(1, attachment.owner());
        existing.setString(2, attachment.idempotencyKey());
        return new Created(single(existing).orElseThrow(), false);
      }
    } catch (SQLException e) {
      throw new MetadataStoreException("could not create attachment " + attachment.id(), e);
    }
  }

  /** The result of {@link #create}. */
  public record Created(Attachment attachment, boolean isNew) {}

  /** The owner's attachment; empty when there is none or it is another owner's. */
  public Optional<Attachment> find(String owner, UUID id) {
    try (Connection connection = dataSource.getConnection()) {
      return find(connection, owner, id);
    } catch (SQLException e) {
      throw new MetadataStoreException("could not read attachment " + id, e);
    }
  }

  private Optional<Attachment> find(Connection connection, String owner, UUID id)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "select " + COLUMNS + " from attachment a where owner = ? and id = ?")) {
      select.setString(1, owner);
      select.setObject(2, id);
      return single(select);
    }
  }

  /**
   * The owner's attachments, newest first.
   *
   * @param status only these, or all when null
   * @param cursor the {@code nextCursor} of the previous page, or null for the first
   * @throws IllegalArgumentException when the cursor is not one this store made
   */
  public Page list(String owner, AttachmentStatus status, int limit, String cursor) {
    return page(owner, status, limit, cursor);
  }

  /** Every owner's attachments, newest first: for operators. */
  public Page listAll(AttachmentStatus status, int limit, String cursor) {
    return page(null, status, limit, cursor);
  }

  private Page page(String owner, AttachmentStatus status, int limit, String cursor) {
    StringBuilder sql =
        new StringBuilder(
            "select " + COLUMNS + " from attachment a where (? :: text is null or owner = ?)");
    List<Object> parameters = new ArrayList<>(java.util.Arrays.asList(owner, owner));
    if (status != null) {
      sql.append(" and status = ?");
      parameters.add(status.name());
    }
    if (cursor != null) {
      Cursor after = Cursor.parse(cursor);
      sql.append(" and (created_at, id) < (?, ?)");
      parameters.add(Timestamp.from(after.createdAt()));
      parameters.add(after.id());
    }
    sql.append(" order by created_at desc, id desc limit ?");
    parameters.add(limit + 1);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < parameters.size(); i++) {
        select.setObject(i + 1, parameters.get(i));
      }
      List<Attachment> rows = new ArrayList<>();
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.add(map(result));
        }
      }
      if (rows.size() <= limit) {
        return new Page(rows, null);
      }
      Attachment last = rows.get(limit - 1);
      return new Page(rows.subList(0, limit), new Cursor(last.createdAt(), last.id()).format());
    } catch (SQLException e) {
      throw new MetadataStoreException("could not list attachments of " + owner, e);
    }
  }

  /** Audit action of an operator's release of a quarantined attachment. */
  public static final String RELEASE = "release";

  /** Audit action of an operator's reprocess of a FAILED attachment from the step that failed. */
  public static final String REPROCESS = "reprocess";

  /** Audit action of an operator's reprocess of a FAILED attachment from a fresh scan. */
  public static final String RESCAN = "rescan";

  /** One thing an operator did to an attachment. */
  public record AuditEntry(UUID id, String action, String actor, String reason, Instant at) {}

  /**
   * Opens a quarantined attachment for release on an operator's word, and keeps who, when and why.
   * It stays PROCESSING until its workflow has moved the file out of quarantine. Operators'
   * overrules (this and {@link #reopenFailed}) are the only ways a final status changes.
   *
   * @return the audit record, or empty when the attachment is not QUARANTINED
   */
  public Optional<AuditEntry> releaseQuarantined(UUID id, String actor, String reason) {
    return overrule(
        id,
        AttachmentStatus.QUARANTINED,
        "being released by " + actor + ": " + reason,
        RELEASE,
        actor,
        reason);
  }

  /**
   * Opens a FAILED attachment for processing again, on an operator's word, and keeps who, when and
   * why.
   *
   * @param rescan whether the file is to be scanned again rather than keep the verdict it has
   * @return the audit record, or empty when the attachment is not FAILED
   */
  public Optional<AuditEntry> reopenFailed(UUID id, String actor, String reason, boolean rescan) {
    return overrule(id, AttachmentStatus.FAILED, null, rescan ? RESCAN : REPROCESS, actor, reason);
  }

  /**
   * An operator moves a final status back to PROCESSING, in one transaction with the audit record
   * of it.
   */
  private Optional<AuditEntry> overrule(
      UUID id,
      AttachmentStatus from,
      String statusReason,
      String action,
      String actor,
      String reason) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement update =
              connection.prepareStatement(
                  "update attachment set status = ?, status_reason = ?, updated_at = now() where id = ? and status = ?");
          PreparedStatement audit =
              connection.prepareStatement(
                  "insert into attachment_audit (id, attachment_id, action, actor, reason, at)"
                      + " values (?, ?, ?, ?, ?, now()) returning at")) {
        update.setString(1, AttachmentStatus.PROCESSING.name());
        update.setString(2, statusReason);
        update.setObject(3, id);
        update.setString(4, from.name());
        if (update.executeUpdate() != 1) {
          connection.rollback();
          return Optional.empty();
        }
        UUID auditId = UUID.randomUUID();
        audit.setObject(1, auditId);
        audit.setObject(2, id);
        audit.setString(3, action);
        audit.setString(4, actor);
        audit.setString(5, reason);
        Instant at;
        try (ResultSet row = audit.executeQuery()) {
          row.next();
          at = row.getTimestamp(1).toInstant();
        }
        connection.commit();
        return Optional.of(new AuditEntry(auditId, action, actor, reason, at));
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new MetadataStoreException("could not " + action + " attachment " + id, e);
    }
  }

  /** What operators did to the attachment, oldest first. */
  public List<AuditEntry> audit(UUID id) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select id, action, actor, reason, at from attachment_audit where attachment_id = ? order by at, id")) {
      select.setObject(1, id);
      List<AuditEntry> entries = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          entries.add(
              new AuditEntry(
                  row.getObject("id", UUID.class),
                  row.getString("action"),
                  row.getString("actor"),
                  row.getString("reason"),
                  row.getTimestamp("at").toInstant()));
        }
      }
      return entries;
    } catch (SQLException e) {
      throw new MetadataStoreException("could not read the audit of " + id, e);
    }
  }

  /** Any owner's attachment, for operators. */
  public Optional<Attachment> findAny(UUID id) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement("select " + COLUMNS + " from attachment a where id = ?")) {
      select.setObject(1, id);
      return single(select);
    } catch (SQLException e) {
      throw new MetadataStoreException("could not read attachment " + id, e);
    }
  }

  /** Attachments of every owner still waiting for their upload or in processing, oldest first. */
  public List<Attachment> unfinished(int limit) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select "
                    + COLUMNS
                    + " from attachment a where status in ('AWAITING_UPLOAD', 'PROCESSING')"
                    + " order by created_at limit ?")) {
      select.setInt(1, limit);
      List<Attachment> rows = new ArrayList<>();
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.add(map(result));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new MetadataStoreException("could not list unfinished attachments", e);
    }
  }

  /**
   * Writes what the workflow knows. Idempotent, and monotonic: once final, a status is never
   * replaced by another, so a retried or replayed activity cannot move an attachment backwards.
   *
   * @return whether the row was written
   */
  public boolean publish(AttachmentState state) {
    String sql =
        "update attachment set status = ?, status_reason = ?, sha256 = coalesce(?, sha256),"
            + " detected_content_type = coalesce(?, detected_content_type),"
            + " scan_verdict = coalesce(?, scan_verdict), scan_signature = coalesce(?, scan_signature),"
            + " scan_engine = coalesce(?, scan_engine), scanned_at = coalesce(?, scanned_at),"
            + " scan_etag = coalesce(?, scan_etag),"
            + " preview_status = coalesce(?, preview_status), preview_reason = ?,"
            + " preview_pages = coalesce(?, preview_pages),"
            + " updated_at = now()"
            + " where id = ? and (status not in ("
            + FINAL_STATUSES
            + ") or status = ?)";
    ScanResult scan = state.scan();
    dev.attachments.preview.Preview preview = state.preview();
    UUID id = UUID.fromString(state.attachmentId());
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement update = connection.prepareStatement(sql)) {
        update.setString(1, state.status().name());
        update.setString(2, state.reason());
        update.setString(3, scan == null ? null : scan.sha256());
        update.setString(4, scan == null ? null : scan.detectedContentType());
        update.setString(5, scan == null ? null : scan.verdict().name());
        update.setString(6, scan == null ? null : scan.signature());
        update.setString(7, scan == null ? null : scan.engine());
        update.setTimestamp(8, scan == null ? null : Timestamp.from(scan.scannedAt()));
        update.setString(9, scan == null ? null : scan.etag());
        update.setString(10, preview == null ? null : preview.status().name());
        update.setString(11, preview == null ? null : preview.reason());
        update.setObject(12, preview == null ? null : preview.pages(), java.sql.Types.INTEGER);
        update.setObject(13, id);
        update.setString(14, state.status().name());
        boolean written = update.executeUpdate() == 1;
        if (written && preview != null) {
          writePreviewUrls(connection, id, preview.urls());
        }
        connection.commit();
        return written;
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new MetadataStoreException("could not publish attachment " + id, e);
    }
  }

  /** The preview's URLs replace whatever was there: a preview that failed after all keeps none. */
  private static void writePreviewUrls(Connection connection, UUID id, Map<String, String> urls)
      throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("delete from attachment_preview where attachment_id = ?")) {
      delete.setObject(1, id);
      delete.executeUpdate();
    }
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "insert into attachment_preview (attachment_id, name, url) values (?, ?, ?)"
                + " on conflict (attachment_id, name) do update set url = excluded.url")) {
      for (Map.Entry<String, String> url : urls.entrySet()) {
        upsert.setObject(1, id);
        upsert.setString(2, url.getKey());
        upsert.setString(3, url.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  private static Optional<Attachment> single(PreparedStatement select) throws SQLException {
    try (ResultSet result = select.executeQuery()) {
      return result.next() ? Optional.of(map(result)) : Optional.empty();
    }
  }

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

  private static Instant instant(ResultSet row, String column) throws SQLException {
    Timestamp timestamp = row.getTimestamp(column);
    return timestamp == null ? null : timestamp.toInstant();
  }

  /** PostgreSQL keeps microseconds: what we store must compare equal to what we read back. */
  static Instant truncate(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
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
}
