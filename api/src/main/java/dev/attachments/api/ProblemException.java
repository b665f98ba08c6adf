package dev.attachments.api;

import io.micronaut.http.HttpStatus;

/** A request the API refuses, with the status and the words the client gets. */
public class ProblemException extends RuntimeException {
  private final HttpStatus status;
  private final String type;

  public ProblemException(HttpStatus status, String type, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
  }

  public Problem toProblem() {
    return new Problem(
        Problem.TYPE_PREFIX + type, status.getReason(), status.getCode(), getMessage());
  }

  public HttpStatus status() {
    return status;
  }
}
