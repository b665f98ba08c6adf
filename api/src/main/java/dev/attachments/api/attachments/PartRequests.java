package dev.attachments.api.attachments;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** Request bodies of the multipart calls. */
public final class PartRequests {

  /** {@code POST /v1/attachments/{id}/parts}: which parts to presign. */
  @Serdeable
  public record PartNumbers(
      @ArraySchema(
              minItems = 1,
              maxItems = 1000,
              schema = @Schema(types = "integer", minimum = "1", maximum = "10000"))
          @Schema(requiredMode = REQUIRED)
          @Nullable
          List<Integer> partNumbers) {}

  /**
   * {@code POST /v1/attachments/{id}/complete} of a multipart upload: every part and the ETag S3
   * gave it.
   */
  @Serdeable
  public record Completion(
      @Schema(description = "Every part of a multipart upload; leave out for a single PUT")
          @Nullable
          List<CompletedPart> parts) {}

  @Serdeable
  public record CompletedPart(
      @Schema(requiredMode = REQUIRED, types = "integer", minimum = "1", maximum = "10000")
          @Nullable
          Integer partNumber,
      @Schema(requiredMode = REQUIRED, types = "string", description = "The part PUT's ETag")
          @Nullable
          String etag) {}

  private PartRequests() {}
}
