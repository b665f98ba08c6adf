package dev.attachments.tracing;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.jdbc.datasource.JdbcTelemetry;
import io.opentelemetry.opentracingshim.OpenTracingShim;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.temporal.opentracing.OpenTracingClientInterceptor;
import io.temporal.opentracing.OpenTracingOptions;
import io.temporal.opentracing.OpenTracingWorkerInterceptor;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * OpenTelemetry for one app, off unless configured: with {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or
 * {@code OTEL_TRACES_EXPORTER}) set, spans are exported over OTLP as the standard {@code OTEL_*}
 * settings say (service name, sampler, headers); metrics and logs stay with Prometheus and the log.
 * Installed once, as the global instance, before the app builds its clients: every S3 client then
 * makes spans ({@link S3Spans}), and {@link #traced} data sources, Temporal's interceptors and the
 * API's requests join the same traces.
 */
public final class Tracing {
  private static volatile boolean enabled;

  private Tracing() {}

  /** Whether spans are exported: instrumentation is added only then, the plain path else. */
  public static boolean enabled() {
    return enabled;
  }

  /** Installs and answers the app's OpenTelemetry: a no-op one when nothing is configured. */
  public static synchronized OpenTelemetry install(String serviceName) {
    return install(serviceName, System::getenv);
  }

  static synchronized OpenTelemetry install(
      String serviceName, Function<String, String> environment) {
    if (!configured(environment)) {
      return OpenTelemetry.noop();
    }
    enabled = true;
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(
            () ->
                Map.of(
                    "otel.service.name", serviceName,
                    "otel.metrics.exporter", "none",
                    "otel.logs.exporter", "none",
                    "otel.exporter.otlp.protocol", "http/protobuf",
                    // W3C trace context between our apps; no baggage rides along
                    "otel.propagators", "tracecontext"))
        // failures recorded on spans (Temporal's interceptors, the AWS SDK's) quote what the
        // activity's error said: scrubbed as every log line and failure is
        .addSpanExporterCustomizer((exporter, config) -> new RedactingSpanExporter(exporter))
        .setResultAsGlobal()
        .build()
        .getOpenTelemetrySdk();
  }

  static boolean configured(Function<String, String> environment) {
    String endpoint = environment.apply("OTEL_EXPORTER_OTLP_ENDPOINT");
    String exporter = environment.apply("OTEL_TRACES_EXPORTER");
    return (endpoint != null && !endpoint.isBlank())
        || (exporter != null && !exporter.isBlank() && !exporter.equals("none"));
  }

  /** The installed instance (no-op when tracing is off). */
  public static OpenTelemetry current() {
    return GlobalOpenTelemetry.get();
  }

  /**
   * Runs {@code work} in a span of the attachment's own trace, whose id is the attachment's id (its
   * 32 hex digits): the create's workflow start and the complete's signal, on different requests,
   * are one trace with the workflow and every activity, found in a tracing backend by the
   * attachment's id. The span is linked to the request's span and keeps its sampling decision; its
   * parent is a span id derived from the attachment's, which no process records.
   */
  public static void inAttachmentTrace(String attachmentId, String spanName, Runnable work) {
    if (!enabled) {
      work.run();
      return;
    }
    String hex = attachmentId.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    SpanContext request = Span.current().getSpanContext();
    SpanContext attachment =
        SpanContext.createFromRemoteParent(
            hex,
            hex.substring(16),
            request.isValid() ? request.getTraceFlags() : TraceFlags.getSampled(),
            TraceState.getDefault());
    var builder =
        current()
            .getTracer("dev.attachments")
            .spanBuilder(spanName)
            .setParent(Context.current().with(Span.wrap(attachment)))
            .setAttribute("attachment.id", attachmentId);
    if (request.isValid()) {
      builder.addLink(request);
    }
    Span span = builder.startSpan();
    try (Scope scope = span.makeCurrent()) {
      work.run();
    } catch (RuntimeException failed) {
      span.recordException(failed);
      span.setStatus(StatusCode.ERROR);
      throw failed;
    } finally {
      span.end();
    }
  }

  /**
   * The data source whose statements are spans of the current trace; itself when tracing is off.
   */
  public static DataSource traced(DataSource dataSource) {
    return enabled ? JdbcTelemetry.create(current()).wrap(dataSource) : dataSource;
  }

  /**
   * Temporal's interceptors (OpenTracing) on the installed tracer: starting, signalling and running
   * workflows and activities become spans, carried in Temporal's headers from client to workflow to
   * activity.
   */
  public static OpenTracingOptions temporalOptions() {
    return OpenTracingOptions.newBuilder()
        .setTracer(OpenTracingShim.createTracerShim(current()))
        .build();
  }

  public static OpenTracingClientInterceptor temporalClient() {
    return new OpenTracingClientInterceptor(temporalOptions());
  }

  public static OpenTracingWorkerInterceptor temporalWorker() {
    return new OpenTracingWorkerInterceptor(temporalOptions());
  }
}
