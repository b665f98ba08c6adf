package dev.attachments.api;

import io.micronaut.serde.annotation.Serdeable;

/** An RFC 9457 problem details body, served as {@code application/problem+json}. */
@Serdeable
public record Problem(String type, String title, int status, String detail) {
  public static final String CONTENT_TYPE = "application/problem+json";
  static final String TYPE_PREFIX = "urn:problem:attachments:";
}
