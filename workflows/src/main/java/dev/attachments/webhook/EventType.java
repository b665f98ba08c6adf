package dev.attachments.webhook;

import java.util.Arrays;
import java.util.Optional;

/**
 * The events an owner's webhook endpoints can subscribe to, in the order an attachment's life
 * produces them.
 */
public enum EventType {
  UPLOADED("attachment.uploaded"),
  RELEASED("attachment.released"),
  QUARANTINED("attachment.quarantined"),
  REJECTED("attachment.rejected"),
  EXPIRED("attachment.expired"),
  FAILED("attachment.failed"),
  PREVIEW_READY("attachment.preview_ready"),
  /** The owner deleted it: its file, previews and Cloudinary assets are gone, the row stays. */
  DELETED("attachment.deleted");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** The name in payloads and subscriptions, e.g. {@code attachment.released}. */
  public String wireName() {
    return wireName;
  }

  public static Optional<EventType> ofWireName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }
}
