package dev.attachments.api;

import dev.attachments.workflow.AttachmentStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

/** Request parameters every controller reads the same way, with the client errors they answer. */
public final class Params {
  /**
   * An id from the path; one that is not a UUID cannot exist, so it answers 404 like a missing one.
   *
   * @param notFound the detail of that 404
   */
  public static UUID id(String id, String notFound) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw Refusal.notFound(notFound);
    }
  }

  /** A {@code status} filter: null when absent, 400 when it names no status. */
  public static AttachmentStatus statusFilter(String status) {
    if (status == null || status.isBlank()) {
      return null;
    }
    try {
      return AttachmentStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid(
          "status '" + status + "' is not one of " + Arrays.toString(AttachmentStatus.values()));
    }
  }

  private Params() {}
}
