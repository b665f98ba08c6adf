package dev.attachments.metadata;

import dev.attachments.workflow.AttachmentStatus;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.statement.Query;

/**
 * The attachments as the API creates and reads them: create (idempotent per key), find, list by
 * owner or across owners, and the unfinished ones for recovery.
 */
public class Attachments {
  private final Store store;

  public Attachments(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /** The result of {@link #create}. */
  public record Created(Attachment attachment, boolean isNew) {}

  /** What one owner may have unfinished at once. */
  public record Limits(int pendingUploads, long bytesInFlight) {
    public static final Limits NONE = new Limits(Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  /** A new attachment would take its owner over one of its {@link Limits}. */
  public static final class OverLimit extends RuntimeException {
    OverLimit(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Creates the attachment, or answers the one the owner already created with the same idempotency
   * key.
   *
   * @return the stored attachment, and whether this call created it
   */
  public Created create(NewAttachment attachment) {
    return create(attachment, Limits.NONE);
  }

  /**
   * The same, within the owner's limits: counted and inserted under a lock of the owner's, so that
   * concurrent creates cannot all slip under a limit together. A retried create (same key) answers
   * its attachment whatever the counts.
   *
   * @throws OverLimit naming the limit, when the new attachment would exceed it
   */
  public Created create(NewAttachment attachment, Limits limits) {
    return store.inTransaction(
        "could not create attachment " + attachment.id(),
        handle -> {
          if (attachment.idempotencyKey() != null) {
            var earlier =
                handle
                    .createQuery(
                        AttachmentRows.SELECT
                            + " where owner = :owner and idempotency_key = :idempotencyKey")
                    .bind("owner", attachment.owner())
                    .bind("idempotencyKey", attachment.idempotencyKey())
                    .map(AttachmentRows.MAPPER)
                    .findOne();
            if (earlier.isPresent()) {
              return new Created(earlier.get(), false);
            }
          }
          if (!limits.equals(Limits.NONE)) {
            handle
                .createQuery("select 1 from pg_advisory_xact_lock(hashtext(:owner))")
                .bind("owner", attachment.owner())
                .mapTo(Integer.class)
                .one();
            long[] unfinished =
                handle
                    .createQuery(
                        "select count(*) filter (where status = 'AWAITING_UPLOAD'),"
                            + " coalesce(sum(size), 0) from attachment where owner = :owner"
                            + " and status in ('AWAITING_UPLOAD', 'PROCESSING')")
                    .bind("owner", attachment.owner())
                    .map((row, context) -> new long[] {row.getLong(1), row.getLong(2)})
                    .one();
            if (unfinished[0] + 1 > limits.pendingUploads()) {
              throw new OverLimit(
                  "the owner has "
                      + unfinished[0]
                      + " uploads awaiting their bytes, the most it may have at once; complete or"
                      + " abandon some first");
            }
            if (unfinished[1] + attachment.size() > limits.bytesInFlight()) {
              throw new OverLimit(
                  "the owner has "
                      + unfinished[1]
                      + " bytes uploading or processing; with "
                      + attachment.size()
                      + " more it would pass its limit of "
                      + limits.bytesInFlight());
            }
          }
          var created = Store.timestamp(Store.truncate(attachment.createdAt()));
          boolean inserted =
              handle
                      .createUpdate(
                          "insert into attachment (id, owner, filename, content_type, size, declared_sha256,"
                              + " idempotency_key, status, upload_expires_at, created_at, updated_at,"
                              + " multipart_upload_id, part_size, upload_token_id)"
                              + " values (:id, :owner, :filename, :contentType, :size, :declaredSha256,"
                              + " :idempotencyKey, :status, :uploadExpiresAt, :createdAt, :createdAt,"
                              + " :uploadId, :partSize, :uploadTokenId)"
                              + " on conflict (owner, idempotency_key) do nothing")
                      .bind("id", attachment.id())
                      .bind("owner", attachment.owner())
                      .bind("filename", attachment.filename())
                      .bind("contentType", attachment.contentType())
                      .bind("size", attachment.size())
                      .bind("declaredSha256", attachment.declaredSha256())
                      .bind("idempotencyKey", attachment.idempotencyKey())
                      .bind("status", AttachmentStatus.AWAITING_UPLOAD.name())
                      .bind("uploadExpiresAt", Store.timestamp(attachment.uploadExpiresAt()))
                      .bind("createdAt", created)
                      .bind("uploadId", attachment.multipartUploadId())
                      .bind("partSize", attachment.partSize())
                      .bind("uploadTokenId", attachment.uploadTokenId())
                      .execute()
                  == 1;
          if (inserted && attachment.uploadTokenId() != null) {
            // only a new attachment takes one of the token's uploads: a replay of the same key,
            // even one racing the first, finds the first's (and a spent token rolls this back)
            spendUpload(handle, attachment.uploadTokenId());
          }
          Query existing =
              inserted
                  ? handle
                      .createQuery(AttachmentRows.SELECT + " where id = :id")
                      .bind("id", attachment.id())
                  : handle
                      .createQuery(
                          AttachmentRows.SELECT
                              + " where owner = :owner and idempotency_key = :idempotencyKey")
                      .bind("owner", attachment.owner())
                      .bind("idempotencyKey", attachment.idempotencyKey());
          return new Created(existing.map(AttachmentRows.MAPPER).one(), inserted);
        });
  }

  /**
   * Takes one of the token's uploads, in the create's transaction (a create that fails gives it
   * back).
   *
   * @throws TokenSpent when it has none left or has expired
   */
  private static void spendUpload(org.jdbi.v3.core.Handle handle, UUID token) {
    int spent =
        handle
            .createUpdate(
                "update upload_token set uploads_used = uploads_used + 1 where id = :id"
                    + " and uploads_used < max_uploads and expires_at > now()")
            .bind("id", token)
            .execute();
    if (spent == 0) {
      throw new TokenSpent("the upload token has made all the uploads it allows, or has expired");
    }
  }

  /** The upload token that would create an attachment has no upload left. */
  public static final class TokenSpent extends RuntimeException {
    TokenSpent(String message) {
      super(message, null, false, false);
    }
  }

  /** Whether the owner's attachment was created with this upload token. */
  public boolean createdWith(String owner, UUID id, UUID token) {
    return store.read(
        "could not read attachment " + id,
        handle ->
            handle
                    .createQuery(
                        "select count(*) from attachment where owner = :owner and id = :id"
                            + " and upload_token_id = :token")
                    .bind("owner", owner)
                    .bind("id", id)
                    .bind("token", token)
                    .mapTo(Integer.class)
                    .one()
                > 0);
  }

  /** The owner's attachment; empty when there is none or it is another owner's. */
  public Optional<Attachment> find(String owner, UUID id) {
    return store.read(
        "could not read attachment " + id,
        handle ->
            handle
                .createQuery(AttachmentRows.SELECT + " where owner = :owner and id = :id")
                .bind("owner", owner)
                .bind("id", id)
                .map(AttachmentRows.MAPPER)
                .findOne());
  }

  /** Any owner's attachment, for operators. */
  public Optional<Attachment> findAny(UUID id) {
    return store.read(
        "could not read attachment " + id,
        handle ->
            handle
                .createQuery(AttachmentRows.SELECT + " where id = :id")
                .bind("id", id)
                .map(AttachmentRows.MAPPER)
                .findOne());
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
    AttachmentRows.Cursor after = cursor == null ? null : AttachmentRows.Cursor.parse(cursor);
    String sql =
        AttachmentRows.SELECT
            + " where (cast(:owner as text) is null or owner = :owner)"
            + (status == null ? "" : " and status = :status")
            + (after == null ? "" : " and (created_at, id) < (:afterCreatedAt, :afterId)")
            + " order by created_at desc, id desc limit :limit";
    List<Attachment> rows =
        store.read(
            "could not list attachments of " + owner,
            handle -> {
              Query query = handle.createQuery(sql).bind("owner", owner).bind("limit", limit + 1);
              if (status != null) {
                query.bind("status", status.name());
              }
              if (after != null) {
                query
                    .bind("afterCreatedAt", Store.timestamp(after.createdAt()))
                    .bind("afterId", after.id());
              }
              return query.map(AttachmentRows.MAPPER).list();
            });
    if (rows.size() <= limit) {
      return new Page(rows, null);
    }
    Attachment last = rows.get(limit - 1);
    return new Page(
        rows.subList(0, limit), new AttachmentRows.Cursor(last.createdAt(), last.id()).format());
  }

  /**
   * Attachments of every owner still waiting for their upload or in processing, a page at a time in
   * id order.
   *
   * @param after the last id of the previous page, or null for the first
   */
  public List<Attachment> unfinished(UUID after, int limit) {
    return store.read(
        "could not list unfinished attachments",
        handle ->
            handle
                .createQuery(
                    AttachmentRows.SELECT
                        + " where status in ('AWAITING_UPLOAD', 'PROCESSING')"
                        + " and (cast(:after as uuid) is null or id > :after)"
                        + " order by id limit :limit")
                .bind("after", after)
                .bind("limit", limit)
                .map(AttachmentRows.MAPPER)
                .list());
  }

  /**
   * Quarantined attachments whose verdict is older than {@code before}, a page at a time in id
   * order.
   *
   * @param after the last id of the previous page, or null for the first
   */
  public List<Attachment> quarantinedBefore(java.time.Instant before, UUID after, int limit) {
    return store.read(
        "could not list quarantined attachments",
        handle ->
            handle
                .createQuery(
                    AttachmentRows.SELECT
                        + " where status = 'QUARANTINED' and updated_at < :before"
                        + " and (cast(:after as uuid) is null or id > :after)"
                        + " order by id limit :limit")
                .bind("before", Store.timestamp(before))
                .bind("after", after)
                .bind("limit", limit)
                .map(AttachmentRows.MAPPER)
                .list());
  }
}
