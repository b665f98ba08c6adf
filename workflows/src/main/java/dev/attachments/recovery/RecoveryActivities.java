package dev.attachments.recovery;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface RecoveryActivities {
  /**
   * Looks at up to {@code limit} unfinished attachments after {@code after} (id order) and repairs
   * those whose workflow is not running.
   */
  @ActivityMethod
  RecoveryPage reconcilePage(String after, int limit);
}
