package dev.attachments.api.attachments;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/** The body of {@code POST /v1/attachments}. */
@Serdeable
public record CreateAttachment(
    @Nullable String filename,
    @Nullable String contentType,
    @Nullable Long size,
    @Nullable String sha256) {}
