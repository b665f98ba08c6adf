package dev.attachments.recovery;

/**
 * What one page of a round found and did.
 *
 * @param examined unfinished attachments looked at
 * @param restarted whose workflow was started again
 * @param markedFailed whose run an operator had terminated
 * @param next the cursor of the next page, or null when the round is done
 */
public record RecoveryPage(int examined, int restarted, int markedFailed, String next) {}
