package dev.attachments.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

class RedactingSpanExporterTest {
  private static final String SIGNATURE =
      "5f1e0c7b9a8d6e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f";
  private static final String URL =
      "https://attachments-released.s3.amazonaws.com/acme/x?X-Amz-Algorithm=AWS4-HMAC-SHA256"
          + "&X-Amz-Credential=AKIAEXAMPLE%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"
          + "&X-Amz-Signature="
          + SIGNATURE;

  @Test
  void aSignatureQuotedByAFailureNeverLeavesInASpan() {
    InMemorySpanExporter raw = InMemorySpanExporter.create();
    InMemorySpanExporter exported = InMemorySpanExporter.create();
    // not closed: an in-memory exporter forgets its spans when shut down
    SdkTracerProvider tracing =
        SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(raw))
            .addSpanProcessor(SimpleSpanProcessor.create(new RedactingSpanExporter(exported)))
            .build();
    Span recorded = tracing.get("test").spanBuilder("RunActivity:Optimize").startSpan();
    recorded.setAttribute("url.full", URL);
    recorded.setAttribute("attempt", 2L);
    recorded.recordException(new IllegalStateException("ffmpeg could not read " + URL));
    recorded.end();

    assertThat(raw.getFinishedSpanItems().get(0).toString())
        .as("what the instrumentation recorded")
        .contains(SIGNATURE);
    SpanData span = exported.getFinishedSpanItems().get(0);
    assertThat(span.toString()).doesNotContain(SIGNATURE).doesNotContain("AKIAEXAMPLE");
    assertThat(span.getAttributes().get(AttributeKey.longKey("attempt"))).isEqualTo(2L);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("url.full")))
        .startsWith("https://attachments-released.s3.amazonaws.com/acme/x?");
    assertThat(span.getEvents()).hasSize(1);
    assertThat(span.getEvents().get(0).getAttributes().toString())
        .contains("ffmpeg could not read")
        .doesNotContain(SIGNATURE);
  }
}
