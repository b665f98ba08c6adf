package dev.attachments.retention;

import java.time.Duration;

/**
 * @param every how long between two sweeps
 * @param quarantineFor how long a quarantined file is kept after its verdict
 * @param incomingFor how long anything may stay in the incoming bucket: the upload window and some
 * @param pageSize attachments or objects per activity
 */
public record RetentionRequest(
    Duration every, Duration quarantineFor, Duration incomingFor, int pageSize) {}
