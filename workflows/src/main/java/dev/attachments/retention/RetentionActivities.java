package dev.attachments.retention;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Instant;

@ActivityInterface
public interface RetentionActivities {
  /**
   * Deletes the quarantined files whose verdict is older than {@code before}, up to {@code limit}
   * attachments after {@code after} (id order): each attachment is then DELETED, with an audit
   * entry.
   */
  @ActivityMethod
  RetentionPage purgeQuarantined(Instant before, String after, int limit);

  /**
   * Deletes from the incoming bucket the objects last written before {@code before} that no
   * unfinished attachment needs, a page of the bucket's listing at a time ({@code after} is the
   * listing's continuation token).
   */
  @ActivityMethod
  RetentionPage sweepIncoming(Instant before, String after, int limit);

  /** Aborts the multipart uploads in the incoming bucket started before {@code before}. */
  @ActivityMethod
  RetentionPage abortStaleUploads(Instant before, String after, int limit);
}
