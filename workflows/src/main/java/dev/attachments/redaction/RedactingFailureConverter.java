package dev.attachments.redaction;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.FailureConverter;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.failure.DefaultFailureConverter;

/**
 * Temporal's own failure conversion, with every message and stack trace scrubbed of credentials
 * (see {@link Redaction}) before it is recorded in a workflow history, where the Temporal UI shows
 * it to anyone who may read workflows. The workflow reads failures back from what was recorded, so
 * reasons it derives from them are scrubbed too.
 */
public final class RedactingFailureConverter implements FailureConverter {
  private final FailureConverter temporals = new DefaultFailureConverter();

  /**
   * What the worker and the API use: Temporal's default data converter, failures scrubbed, and JSON
   * payloads read even when they carry fields this code does not know, so that a worker not yet
   * upgraded runs what a newer API started (records grow by trailing fields that older code can do
   * without).
   */
  public static DataConverter dataConverter() {
    ObjectMapper json =
        JacksonJsonPayloadConverter.newDefaultObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    return DefaultDataConverter.newDefaultInstance()
        .withPayloadConverterOverrides(new JacksonJsonPayloadConverter(json))
        .withFailureConverter(new RedactingFailureConverter());
  }

  @Override
  public RuntimeException failureToException(Failure failure, DataConverter dataConverter) {
    return temporals.failureToException(failure, dataConverter);
  }

  @Override
  public Failure exceptionToFailure(Throwable throwable, DataConverter dataConverter) {
    return scrubbed(temporals.exceptionToFailure(throwable, dataConverter));
  }

  private static Failure scrubbed(Failure failure) {
    Failure.Builder builder =
        failure.toBuilder()
            .setMessage(Redaction.scrub(failure.getMessage()))
            .setStackTrace(Redaction.scrub(failure.getStackTrace()));
    if (failure.hasCause()) {
      builder.setCause(scrubbed(failure.getCause()));
    }
    return builder.build();
  }
}
