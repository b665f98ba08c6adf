package dev.attachments.api;

import java.time.Duration;

/**
 * A client request the service refuses, in the service's own words: the kind of refusal, a short
 * code for it and the detail the client reads. Use cases and the S3 and Temporal code throw it
 * without knowing HTTP; {@link ProblemResponses} answers it as problem+json with the kind's status.
 */
public class Refusal extends RuntimeException {
  /** What is wrong, whatever the protocol; {@link ProblemResponses} gives each its HTTP status. */
  public enum Kind {
    INVALID,
    UNAUTHENTICATED,
    /** Authenticated, but this credential may not do this. */
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    TOO_LARGE,
    UNSUPPORTED_TYPE,
    UNPROCESSABLE,
    /** Over a limit that frees up with time: the client may try again after {@link #retryAfter}. */
    TOO_MANY
  }

  private final Kind kind;
  private final String code;
  private final Duration retryAfter;

  public Refusal(Kind kind, String code, String detail) {
    this(kind, code, detail, null);
  }

  private Refusal(Kind kind, String code, String detail, Duration retryAfter) {
    super(detail, null, false, false);
    this.kind = kind;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** Over a limit that frees up with time; the answer says when to try again. */
  public static Refusal tooMany(String code, String detail, Duration retryAfter) {
    return new Refusal(Kind.TOO_MANY, code, detail, retryAfter);
  }

  /** When to try again, or null when trying again will not help. */
  public Duration retryAfter() {
    return retryAfter;
  }

  public static Refusal of(Kind kind, String code, String detail) {
    return new Refusal(kind, code, detail);
  }

  public static Refusal invalid(String detail) {
    return of(Kind.INVALID, "invalid-request", detail);
  }

  public static Refusal notFound(String detail) {
    return of(Kind.NOT_FOUND, "not-found", detail);
  }

  public static Refusal conflict(String code, String detail) {
    return of(Kind.CONFLICT, code, detail);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }
}
