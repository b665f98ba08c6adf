package dev.attachments.api.attachments;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /v1/attachments}. */
@Serdeable
public record CreateAttachment(
    @Schema(
            requiredMode = REQUIRED,
            types = "string",
            minLength = 1,
            maxLength = 255,
            description = "The name to keep (normalized, its extension checked against the type)",
            example = "logo.png")
        @Nullable
        String filename,
    @Schema(
            requiredMode = REQUIRED,
            types = "string",
            description = "A media type the server allows (ATTACHMENTS_ALLOWED_TYPES)",
            example = "image/png")
        @Nullable
        String contentType,
    @Schema(
            requiredMode = REQUIRED,
            types = "integer",
            format = "int64",
            minimum = "1",
            description = "The file's length in bytes, at most ATTACHMENTS_MAX_SIZE",
            example = "48213")
        @Nullable
        Long size,
    @Schema(
            types = "string",
            pattern = "^[0-9a-fA-F]{64}$",
            description = "The file's SHA-256, hex: S3 then refuses any other bytes")
        @Nullable
        String sha256) {}
