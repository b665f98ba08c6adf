package dev.attachments.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.failure.v1.Failure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class RedactingFailureConverterTest {
  @Test
  void failuresAndTheirCausesAreRecordedWithoutTheCredentialsTheyQuote() {
    String url =
        "https://cdn.example/x.mp4?X-Amz-Credential=AKIAEXAMPLE%2F20261201&X-Amz-Signature=0badc0ffee";
    RuntimeException thrown =
        ApplicationFailure.newFailureWithCause(
            "Cloudinary answered 400: Resource not found - " + url,
            "PreviewUnavailable",
            new IllegalStateException("fetching " + url));

    Failure recorded = RedactingFailureConverter.dataConverter().exceptionToFailure(thrown);

    assertThat(recorded.getMessage()).contains("Resource not found - https://cdn.example/x.mp4?");
    assertThat(recorded.toString()).doesNotContain("AKIAEXAMPLE", "0badc0ffee");
    assertThat(recorded.getCause().getMessage()).contains("X-Amz-Signature=REDACTED");
    assertThat(RedactingFailureConverter.dataConverter().failureToException(recorded))
        .isInstanceOf(ApplicationFailure.class);
  }

  @Test
  void payloadsWithFieldsThisCodeDoesNotKnowAreReadAllTheSame() {
    io.temporal.api.common.v1.Payload newer =
        io.temporal.api.common.v1.Payload.newBuilder()
            .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
            .setData(
                com.google.protobuf.ByteString.copyFromUtf8(
                    "{\"auditId\":\"a1\",\"kind\":\"REPROCESS\",\"operator\":\"alice\",\"reason\":\"r\",\"addedLater\":1}"))
            .build();

    dev.attachments.workflow.OperatorAction action =
        RedactingFailureConverter.dataConverter()
            .fromPayload(
                newer,
                dev.attachments.workflow.OperatorAction.class,
                dev.attachments.workflow.OperatorAction.class);

    assertThat(action.operator()).isEqualTo("alice");
  }
}
