package dev.attachments.recovery;

import java.time.Duration;

/**
 * @param every how long to wait between two rounds
 * @param pageSize attachments looked at per activity
 * @param after where the round goes on from (the last id seen), or null at its start
 */
public record RecoveryRequest(Duration every, int pageSize, String after) {
  RecoveryRequest from(String cursor) {
    return new RecoveryRequest(every, pageSize, cursor);
  }
}
