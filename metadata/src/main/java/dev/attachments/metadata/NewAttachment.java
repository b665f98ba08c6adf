package dev.attachments.metadata;

import java.time.Instant;
import java.util.UUID;

/** An attachment as the API creates it, before any byte has arrived. */
public record NewAttachment(
    UUID id,
    String owner,
    String filename,
    String contentType,
    long size,
    String declaredSha256,
    String idempotencyKey,
    Instant uploadExpiresAt,
    Instant createdAt) {}
