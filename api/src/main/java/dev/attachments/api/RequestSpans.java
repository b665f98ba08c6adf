package dev.attachments.api;

import dev.attachments.tracing.Tracing;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.core.propagation.ThreadPropagatedContextElement;
import io.micronaut.http.HttpAttributes;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.web.router.UriRouteMatch;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

/**
 * When tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT), each request is a server span named after its
 * route ({@code POST /v1/attachments}), linked to a caller's {@code traceparent}; it is current on
 * every thread that works for the request, so that PostgreSQL, S3 and Temporal calls are its
 * children, and the workflow it starts continues its trace in the worker.
 */
@ServerFilter("/**")
public class RequestSpans implements Ordered {
  private static final String SPAN = "attachments.span";
  private static final java.util.Set<String> METHODS =
      java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  private static final TextMapGetter<HttpRequest<?>> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpRequest<?> request) {
          return request.getHeaders().names();
        }

        @Override
        public String get(HttpRequest<?> request, String name) {
          return request == null ? null : request.getHeaders().get(name);
        }
      };

  @Override
  public int getOrder() {
    return ServerFilterPhase.FIRST.before() + 1;
  }

  @RequestFilter
  public void start(HttpRequest<?> request, MutablePropagatedContext context) {
    if (!Tracing.enabled()) {
      return;
    }
    Context caller =
        Tracing.current()
            .getPropagators()
            .getTextMapPropagator()
            .extract(Context.root(), request, HEADERS);
    // names from a bounded set: routes, never paths or methods a client makes up
    String route =
        request
            .getAttribute(HttpAttributes.ROUTE_MATCH, UriRouteMatch.class)
            .map(match -> match.getRouteInfo().getUriMatchTemplate().toPathString())
            .orElse("unmatched");
    String method = METHODS.contains(request.getMethodName()) ? request.getMethodName() : "_OTHER";
    // a caller's trace is linked, not continued: a client neither picks our trace ids nor decides
    // what is sampled, and its baggage goes no further
    var builder =
        Tracing.current()
            .getTracer("dev.attachments.api")
            .spanBuilder(method + " " + route)
            .setSpanKind(SpanKind.SERVER)
            .setNoParent()
            .setAttribute("http.request.method", method)
            .setAttribute("http.route", route);
    SpanContext callerSpan = Span.fromContext(caller).getSpanContext();
    if (callerSpan.isValid()) {
      builder.addLink(callerSpan);
    }
    Span span = builder.startSpan();
    request.setAttribute(SPAN, span);
    context.add(new Current(Context.root().with(span)));
  }

  @ResponseFilter
  public void end(HttpRequest<?> request, MutableHttpResponse<?> response) {
    request
        .getAttribute(SPAN, Span.class)
        .ifPresent(
            span -> {
              int status = response.code();
              span.setAttribute("http.response.status_code", status);
              if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
              }
              span.end();
            });
  }

  /** Makes the request's span current on each thread that runs for the request. */
  private record Current(Context context) implements ThreadPropagatedContextElement<Scope> {
    @Override
    public Scope updateThreadContext() {
      return context.makeCurrent();
    }

    @Override
    public void restoreThreadContext(Scope previous) {
      previous.close();
    }
  }

  /** The metadata store's statements as spans, when tracing is on. */
  @Singleton
  static class TracedDataSources implements BeanCreatedEventListener<DataSource> {
    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
      return Tracing.traced(event.getBean());
    }
  }
}
