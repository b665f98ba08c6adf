package dev.attachments.webhook;

import java.time.Instant;
import java.util.UUID;

/**
 * One event of one attachment. Its id is derived from the attachment and the type, so a retried or replayed
 * step names the same event, and it is published once.
 */
public record Event(String id, String attachmentId, String owner, EventType type, Instant occurredAt) {
  public static Event of(String attachmentId, String owner, EventType type, Instant occurredAt) {
    String id = UUID.nameUUIDFromBytes((attachmentId + "/" + type.wireName()).getBytes()).toString();
    return new Event(id, attachmentId, owner, type, occurredAt);
  }
}
