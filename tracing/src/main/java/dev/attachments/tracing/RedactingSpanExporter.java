package dev.attachments.tracing;

import dev.attachments.redaction.Redaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;

/**
 * Scrubs every string a span carries (attributes, and its events': an exception's message and
 * stack, Temporal's failure logs) of presigned URLs' signatures, secrets and tokens before it
 * leaves the process, with the same {@link Redaction} as logs and recorded failures.
 */
final class RedactingSpanExporter implements SpanExporter {
  private final SpanExporter delegate;

  RedactingSpanExporter(SpanExporter delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return delegate.export(spans.stream().map(RedactingSpanExporter::scrubbed).toList());
  }

  static SpanData scrubbed(SpanData span) {
    Attributes attributes = scrubbed(span.getAttributes());
    List<EventData> events =
        span.getEvents().stream()
            .map(
                event ->
                    EventData.create(
                        event.getEpochNanos(),
                        event.getName(),
                        scrubbed(event.getAttributes()),
                        event.getTotalAttributeCount()))
            .toList();
    return new DelegatingSpanData(span) {
      @Override
      public Attributes getAttributes() {
        return attributes;
      }

      @Override
      public List<EventData> getEvents() {
        return events;
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static Attributes scrubbed(Attributes attributes) {
    AttributesBuilder builder = Attributes.builder();
    attributes.forEach(
        (key, value) -> {
          if (value instanceof String text) {
            builder.put((AttributeKey<String>) key, Redaction.scrub(text));
          } else {
            builder.put((AttributeKey<Object>) key, value);
          }
        });
    return builder.build();
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
