package dev.attachments.api.attachments;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** Request bodies of the multipart calls. */
public final class PartRequests {

  /** {@code POST /v1/attachments/{id}/parts}: which parts to presign. */
  @Serdeable
  public record PartNumbers(@Nullable List<Integer> partNumbers) {}

  /**
   * {@code POST /v1/attachments/{id}/complete} of a multipart upload: every part and the ETag S3
   * gave it.
   */
  @Serdeable
  public record Completion(@Nullable List<CompletedPart> parts) {}

  @Serdeable
  public record CompletedPart(@Nullable Integer partNumber, @Nullable String etag) {}

  private PartRequests() {}
}
