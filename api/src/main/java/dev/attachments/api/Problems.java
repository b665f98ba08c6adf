package dev.attachments.api;

import io.micronaut.http.HttpStatus;

/**
 * The client errors this API answers, as RFC 9457 problem details: a type per kind, a detail per
 * case.
 */
public final class Problems {
  public static ProblemException of(HttpStatus status, String type, String detail) {
    return new ProblemException(status, type, detail);
  }

  public static ProblemException invalid(String detail) {
    return of(HttpStatus.BAD_REQUEST, "invalid-request", detail);
  }

  public static ProblemException notFound(String detail) {
    return of(HttpStatus.NOT_FOUND, "not-found", detail);
  }

  public static ProblemException conflict(String type, String detail) {
    return of(HttpStatus.CONFLICT, type, detail);
  }

  private Problems() {}
}
