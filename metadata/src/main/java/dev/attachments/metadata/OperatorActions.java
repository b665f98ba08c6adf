package dev.attachments.metadata;

import dev.attachments.workflow.AttachmentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * What operators do to attachments, each with its audit entry: release a quarantined one, reopen a
 * FAILED one; the retention's deletion of a file kept in quarantine past its time; and an owner's
 * deletion of an attachment. These are the only ways a final status changes.
 */
public class OperatorActions {
  /** Audit action of an operator's release of a quarantined attachment. */
  public static final String RELEASE = "release";

  /** Audit action of an operator's reprocess of a FAILED attachment from the step that failed. */
  public static final String REPROCESS = "reprocess";

  /** Audit action of an operator's reprocess of a FAILED attachment from a fresh scan. */
  public static final String RESCAN = "rescan";

  /** Audit action of the deletion of a quarantined file at the end of its retention. */
  public static final String DELETE = "delete";

  /** Audit action of an owner's deletion of an attachment. */
  public static final String OWNER_DELETE = "owner-delete";

  /** One thing an operator did to an attachment. */
  public record AuditEntry(UUID id, String action, String actor, String reason, Instant at) {}

  private final Store store;

  public OperatorActions(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /**
   * Opens a quarantined attachment for release on an operator's word, and keeps who, when and why.
   * It stays PROCESSING until its workflow has moved the file out of quarantine.
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
   * A quarantined attachment's file was deleted at the end of its retention: it becomes DELETED, in
   * one transaction with the audit record that says who (the retention) and why.
   *
   * @return the audit entry; empty when it was no longer QUARANTINED
   */
  public Optional<AuditEntry> deleteQuarantined(UUID id, String actor, String reason) {
    return move(
        id, AttachmentStatus.QUARANTINED, AttachmentStatus.DELETED, reason, DELETE, actor, reason);
  }

  /**
   * Its owner deletes the attachment, whatever its status: it is DELETED at once, so that nothing
   * is served from then on and no later step of its workflow changes that (a final status is never
   * replaced), and the URLs of its previews are dropped; in one transaction with the audit record.
   *
   * @return the audit entry of this deletion, or of the owner's deletion before it (a repeated
   *     DELETE); an attachment the retention deleted gets its owner's deletion recorded too
   */
  public AuditEntry deleteByOwner(UUID id, String actor, String reason) {
    return store.inTransaction(
        "could not delete attachment " + id,
        handle -> {
          String status =
              handle
                  .createQuery("select status from attachment where id = :id for update")
                  .bind("id", id)
                  .mapTo(String.class)
                  .one();
          if (status.equals(AttachmentStatus.DELETED.name())) {
            Optional<AuditEntry> before =
                handle
                    .createQuery(
                        "select id, action, actor, reason, at from attachment_audit where"
                            + " attachment_id = :id and action = :action order by at desc, id"
                            + " limit 1")
                    .bind("id", id)
                    .bind("action", OWNER_DELETE)
                    .map(OperatorActions::entry)
                    .findOne();
            if (before.isPresent()) {
              return before.get();
            }
          }
          handle
              .createUpdate(
                  "update attachment set status = :deleted, status_reason = :reason,"
                      + " preview_status = null, preview_reason = null, preview_pages = null,"
                      + " updated_at = now() where id = :id")
              .bind("deleted", AttachmentStatus.DELETED.name())
              .bind("reason", reason)
              .bind("id", id)
              .execute();
          handle
              .createUpdate("delete from attachment_preview where attachment_id = :id")
              .bind("id", id)
              .execute();
          return audited(handle, id, OWNER_DELETE, actor, reason);
        });
  }

  /** Moves a final status back to PROCESSING, in one transaction with the audit record of it. */
  private Optional<AuditEntry> overrule(
      UUID id,
      AttachmentStatus from,
      String statusReason,
      String action,
      String actor,
      String reason) {
    return move(id, from, AttachmentStatus.PROCESSING, statusReason, action, actor, reason);
  }

  private Optional<AuditEntry> move(
      UUID id,
      AttachmentStatus from,
      AttachmentStatus to,
      String statusReason,
      String action,
      String actor,
      String reason) {
    return store.inTransaction(
        "could not " + action + " attachment " + id,
        handle -> {
          int moved =
              handle
                  .createUpdate(
                      "update attachment set status = :to, status_reason = :statusReason,"
                          // a reopened attachment processes from now: its latency and age count
                          // anew
                          + " processing_since = case when :to = 'PROCESSING' then now()"
                          + " else processing_since end,"
                          + " updated_at = now() where id = :id and status = :from")
                  .bind("to", to.name())
                  .bind("statusReason", statusReason)
                  .bind("id", id)
                  .bind("from", from.name())
                  .execute();
          if (moved != 1) {
            return Optional.empty();
          }
          return Optional.of(audited(handle, id, action, actor, reason));
        });
  }

  private static AuditEntry audited(
      Handle handle, UUID id, String action, String actor, String reason) {
    UUID auditId = UUID.randomUUID();
    Instant at =
        handle
            .createQuery(
                "insert into attachment_audit (id, attachment_id, action, actor, reason, at)"
                    + " values (:auditId, :id, :action, :actor, :reason, now()) returning at")
            .bind("auditId", auditId)
            .bind("id", id)
            .bind("action", action)
            .bind("actor", actor)
            .bind("reason", reason)
            .map((row, context) -> row.getTimestamp("at").toInstant())
            .one();
    return new AuditEntry(auditId, action, actor, reason, at);
  }

  private static AuditEntry entry(java.sql.ResultSet row, StatementContext context)
      throws java.sql.SQLException {
    return new AuditEntry(
        row.getObject("id", UUID.class),
        row.getString("action"),
        row.getString("actor"),
        row.getString("reason"),
        row.getTimestamp("at").toInstant());
  }

  /** What operators did to the attachment, oldest first. */
  public List<AuditEntry> audit(UUID id) {
    return store.read(
        "could not read the audit of " + id,
        handle ->
            handle
                .createQuery(
                    "select id, action, actor, reason, at from attachment_audit"
                        + " where attachment_id = :id order by at, id")
                .bind("id", id)
                .map(OperatorActions::entry)
                .list());
  }
}
