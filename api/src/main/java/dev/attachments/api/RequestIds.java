package dev.attachments.api;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request an id, first of all filters: the client's {@code X-Request-Id} when it is a
 * plain token (letters, digits, {@code . _ -}, at most 64), else a new one. It is answered in the
 * {@code X-Request-Id} header and in every problem+json body, and rides in the log's MDC ({@code
 * requestId}, and {@code attachmentId} for a call about one) on every line logged for the request,
 * the one line this filter logs for each refused request among them (but 401s and 429s, which the
 * metrics count).
 */
@ServerFilter("/**")
public class RequestIds implements Ordered {
  public static final String HEADER = "X-Request-Id";
  private static final String ATTRIBUTE = "attachments.request-id";
  private static final Logger LOG = LoggerFactory.getLogger(RequestIds.class);
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern ABOUT_AN_ATTACHMENT =
      Pattern.compile("^/v1/(?:ops/)?attachments/([0-9a-fA-F-]{36})(?:/|$)");
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public int getOrder() {
    return ServerFilterPhase.FIRST.before();
  }

  @RequestFilter
  public void assign(HttpRequest<?> request, MutablePropagatedContext context) {
    String id =
        Optional.ofNullable(request.getHeaders().get(HEADER))
            .filter(given -> TOKEN.matcher(given).matches())
            .orElseGet(RequestIds::newId);
    request.setAttribute(ATTRIBUTE, id);
    Map<String, String> mdc = new HashMap<>();
    mdc.put("requestId", id);
    Matcher attachment = ABOUT_AN_ATTACHMENT.matcher(request.getPath());
    if (attachment.find()) {
      mdc.put("attachmentId", attachment.group(1).toLowerCase(java.util.Locale.ROOT));
    }
    context.add(new MdcPropagationContext(mdc));
  }

  @ResponseFilter
  public void answer(HttpRequest<?> request, MutableHttpResponse<?> response) {
    String id = request.getAttribute(ATTRIBUTE, String.class).orElse(null);
    if (id == null) {
      return;
    }
    response.header(HEADER, id);
    Object body = response.getBody().orElse(null);
    if (body instanceof Problem problem) {
      @SuppressWarnings("unchecked")
      MutableHttpResponse<Object> answer = (MutableHttpResponse<Object>) response;
      answer.body(problem.withRequestId(id));
      try (var mdc = org.slf4j.MDC.putCloseable("requestId", id)) {
        // floods of 429s, or of anonymous 401s, would drown the log: the metrics count those
        if (problem.status() == 429 || problem.status() == 401) {
          LOG.debug(
              "{} {} answered {}",
              request.getMethod(),
              printable(request.getPath()),
              problem.status());
        } else {
          LOG.info(
              "{} {} answered {} {}: {}",
              request.getMethod(),
              printable(request.getPath()),
              problem.status(),
              problem.type(),
              printable(problem.detail()));
        }
      }
    }
  }

  /** What a client sent, without the line breaks that would forge log lines in the text format. */
  private static String printable(String text) {
    return text == null ? null : text.replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", "?");
  }

  private static String newId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
