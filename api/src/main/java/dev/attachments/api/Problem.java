package dev.attachments.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * An RFC 9457 problem details body, served as {@code application/problem+json}.
 *
 * @param requestId the request's id, also in its {@code X-Request-Id} header and on every log line
 *     about it: what a client quotes to an operator
 */
@Serdeable
public record Problem(
    String type, String title, int status, @Nullable String detail, @Nullable String requestId) {
  public static final String CONTENT_TYPE = "application/problem+json";
  static final String TYPE_PREFIX = "urn:problem:attachments:";

  /** A problem whose request id is added on the way out ({@link RequestIds}). */
  public Problem(String type, String title, int status, String detail) {
    this(type, title, status, detail, null);
  }

  public Problem withRequestId(String id) {
    return new Problem(type, title, status, detail, id);
  }
}
