package dev.attachments.api.tokens;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** The JSON bodies of {@code /v1/upload-tokens}. */
public final class UploadTokenViews {
  /** What the token allows; each field may be left out for its default. */
  @Serdeable
  public record NewUploadToken(
      @Schema(
              types = "integer",
              minimum = "1",
              maximum = "100",
              description = "How many uploads the token may create (1)")
          @Nullable
          Integer maxUploads,
      @Schema(
              types = "integer",
              format = "int64",
              minimum = "1",
              description = "The largest file, in bytes (the server's ATTACHMENTS_MAX_SIZE)")
          @Nullable
          Long maxSize,
      @ArraySchema(
              maxItems = 20,
              schema =
                  @Schema(
                      types = "string",
                      example = "image/*",
                      description = "a media type or a type/* wildcard the server allows"))
          @Schema(description = "The types its uploads may declare (any the server allows)")
          @Nullable
          List<String> types,
      @Schema(
              types = "integer",
              minimum = "60",
              maximum = "86400",
              description = "Seconds until it expires (900)")
          @Nullable
          Integer ttl) {}

  /**
   * A new token: the browser or phone sends {@code token} as its Bearer credential. Shown once.
   *
   * @param types empty: any type the server allows
   */
  @Serdeable
  public record MintedToken(
      String token, Instant expiresAt, int maxUploads, long maxSize, List<String> types) {}

  private UploadTokenViews() {}
}
