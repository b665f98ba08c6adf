package dev.attachments.redaction;

import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.FailureConverter;
import io.temporal.failure.DefaultFailureConverter;

/**
 * Temporal's own failure conversion, with every message and stack trace scrubbed of credentials (see
 * {@link Redaction}) before it is recorded in a workflow history, where the Temporal UI shows it to anyone who
 * may read workflows. The workflow reads failures back from what was recorded, so reasons it derives from them
 * are scrubbed too.
 */
public final class RedactingFailureConverter implements FailureConverter {
  private final FailureConverter temporals = new DefaultFailureConverter();

  /** Temporal's default data converter, failures scrubbed: what the worker and the API use. */
  public static DataConverter dataConverter() {
    return DefaultDataConverter.newDefaultInstance().withFailureConverter(new RedactingFailureConverter());
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
