package dev.attachments.webhook;

import java.time.Instant;
import java.util.UUID;

/**
 * One event of one attachment. Its id is derived from the attachment, the type and the operator
 * action that started the run (none for the upload's own run), so a retried or replayed step names
 * the same event and it is published once, while a reprocess that fails again reports its own
 * failure.
 */
public record Event(
    String id, String attachmentId, String owner, EventType type, Instant occurredAt) {
  public static Event of(String attachmentId, String owner, EventType type, Instant occurredAt) {
    return of(attachmentId, owner, type, occurredAt, null);
  }

  /**
   * @param actionId the operator action whose run produced the event, or null for the upload's own
   *     run
   */
  public static Event of(
      String attachmentId, String owner, EventType type, Instant occurredAt, String actionId) {
    String name = attachmentId + "/" + type.wireName() + (actionId == null ? "" : "/" + actionId);
    return new Event(
        UUID.nameUUIDFromBytes(name.getBytes()).toString(), attachmentId, owner, type, occurredAt);
  }
}
