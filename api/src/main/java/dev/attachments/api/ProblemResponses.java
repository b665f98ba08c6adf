package dev.attachments.api;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error this API answers is problem+json: our own refusals, and what the framework refuses
 * before our code runs (unknown route, wrong method, unreadable JSON). micronaut-problem-json is
 * not served by the registries this project builds from, and this is all it would do for us.
 */
public final class ProblemResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemResponses.class);

  /** Our own refusals, thrown as {@link Refusal}. */
  @Singleton
  @Produces(Problem.CONTENT_TYPE)
  public static class Refusals implements ExceptionHandler<Refusal, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(HttpRequest request, Refusal refusal) {
      return answer(refusal);
    }
  }

  /** The problem+json answer to a refusal, with the HTTP status of its kind. */
  public static HttpResponse<Problem> answer(Refusal refusal) {
    HttpStatus status =
        switch (refusal.kind()) {
          case INVALID -> HttpStatus.BAD_REQUEST;
          case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
          case FORBIDDEN -> HttpStatus.FORBIDDEN;
          case NOT_FOUND -> HttpStatus.NOT_FOUND;
          case CONFLICT -> HttpStatus.CONFLICT;
          case TOO_LARGE -> HttpStatus.REQUEST_ENTITY_TOO_LARGE;
          case UNSUPPORTED_TYPE -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
          case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_ENTITY;
          case TOO_MANY -> HttpStatus.TOO_MANY_REQUESTS;
        };
    MutableHttpResponse<Problem> response = HttpResponse.status(status);
    if (refusal.retryAfter() != null) {
      response.header("Retry-After", Long.toString(Math.max(1, refusal.retryAfter().toSeconds())));
    }
    return response
        .contentType(Problem.CONTENT_TYPE)
        .body(
            new Problem(
                Problem.TYPE_PREFIX + refusal.code(),
                status.getReason(),
                status.getCode(),
                refusal.getMessage()));
  }

  /**
   * The framework's own errors, in the same shape. Server errors keep their internals to the log.
   */
  @Singleton
  @Replaces(JsonErrorResponseBodyProvider.class)
  public static class FrameworkErrors implements JsonErrorResponseBodyProvider<Problem> {
    @Override
    public Problem body(ErrorContext context, HttpResponse<?> response) {
      HttpStatus status = response.getStatus();
      String detail;
      if (status.getCode() >= 500) {
        LOG.error(
            "request {} failed: {}",
            context.getRequest(),
            context.getErrors().stream().map(Error::getMessage).toList(),
            context.getRootCause().orElse(null));
        detail = "the server failed to handle this request; it has been logged";
      } else {
        detail =
            context.getErrors().stream()
                .map(Error::getMessage)
                .reduce((a, b) -> a + "; " + b)
                .orElse(status.getReason());
      }
      return new Problem("about:blank", status.getReason(), status.getCode(), detail);
    }

    @Override
    public String contentType() {
      return Problem.CONTENT_TYPE;
    }
  }

  /** Temporal, S3 or PostgreSQL did not answer: not the client's fault, and worth a retry soon. */
  static HttpResponse<Problem> unavailable(String system, RuntimeException exception) {
    LOG.warn("{} is unavailable", system, exception);
    return HttpResponse.<Problem>status(HttpStatus.SERVICE_UNAVAILABLE)
        .contentType(Problem.CONTENT_TYPE)
        .header("Retry-After", "5")
        .body(
            new Problem(
                Problem.TYPE_PREFIX + "unavailable",
                HttpStatus.SERVICE_UNAVAILABLE.getReason(),
                503,
                system
                    + " is unavailable right now; retry the same request (with the same Idempotency-Key) shortly"));
  }

  @Singleton
  @Produces(Problem.CONTENT_TYPE)
  public static class TemporalUnavailable
      implements ExceptionHandler<
          io.temporal.client.WorkflowServiceException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(
        HttpRequest request, io.temporal.client.WorkflowServiceException e) {
      return unavailable("the workflow service", e);
    }
  }

  /**
   * A call straight to Temporal's gRPC service (describe) that the service did not answer in time
   * or could not take; any other status is our bug, answered 500.
   */
  @Singleton
  @Produces(Problem.CONTENT_TYPE)
  public static class TemporalRpcUnavailable
      implements ExceptionHandler<io.grpc.StatusRuntimeException, HttpResponse<Problem>> {
    private static final java.util.Set<io.grpc.Status.Code> UNAVAILABLE =
        java.util.EnumSet.of(
            io.grpc.Status.Code.UNAVAILABLE,
            io.grpc.Status.Code.DEADLINE_EXCEEDED,
            io.grpc.Status.Code.RESOURCE_EXHAUSTED);

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, io.grpc.StatusRuntimeException e) {
      if (!UNAVAILABLE.contains(e.getStatus().getCode())) {
        LOG.error("Temporal refused a call", e);
        return HttpResponse.<Problem>status(HttpStatus.INTERNAL_SERVER_ERROR)
            .contentType(Problem.CONTENT_TYPE)
            .body(
                new Problem(
                    "about:blank",
                    HttpStatus.INTERNAL_SERVER_ERROR.getReason(),
                    500,
                    HttpStatus.INTERNAL_SERVER_ERROR.getReason()));
      }
      return unavailable("the workflow service", e);
    }
  }

  @Singleton
  @Produces(Problem.CONTENT_TYPE)
  public static class StorageUnavailable
      implements ExceptionHandler<
          software.amazon.awssdk.core.exception.SdkException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(
        HttpRequest request, software.amazon.awssdk.core.exception.SdkException e) {
      return unavailable("the object store", e);
    }
  }

  @Singleton
  @Produces(Problem.CONTENT_TYPE)
  public static class MetadataUnavailable
      implements ExceptionHandler<
          dev.attachments.metadata.MetadataStoreException, HttpResponse<Problem>> {
    @Override
    public HttpResponse<Problem> handle(
        HttpRequest request, dev.attachments.metadata.MetadataStoreException e) {
      return unavailable("the metadata store", e);
    }
  }

  private ProblemResponses() {}
}
