package dev.attachments.webhookdelivery;

import dev.attachments.webhook.WebhookTargets;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * One webhook POST to a receiver, on Apache HttpClient 5 because it lets us say where the
 * connection goes: the host is resolved once, by {@link WebhookTargets#addresses}, and only to the
 * addresses that check answered does the client connect (TLS name and Host header stay the URL's),
 * so a DNS answer that changes between check and connect cannot send the request inward. One
 * deadline covers the whole exchange, connect to headers; the answer's body is never read, and its
 * headers are bounded.
 */
final class WebhookSender implements AutoCloseable {
  /** The host resolved to an address deliveries must not reach. */
  static final class RefusedAddress extends UnknownHostException {
    RefusedAddress(String reason) {
      super(reason);
    }
  }

  private final Duration deadline;
  private final CloseableHttpClient http;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "webhook-deadlines");
            thread.setDaemon(true);
            return thread;
          });

  WebhookSender(WebhookTargets targets, Duration deadline) {
    this.deadline = deadline;
    Timeout timeout = Timeout.of(deadline);
    DnsResolver checked =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String host) throws UnknownHostException {
            try {
              return targets.addresses(host);
            } catch (IllegalArgumentException refused) {
              throw new RefusedAddress(refused.getMessage());
            }
          }

          @Override
          public String resolveCanonicalHostname(String host) {
            return host;
          }
        };
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(checked)
                    .setConnectionFactory(
                        ManagedHttpClientConnectionFactory.builder()
                            .http1Config(
                                Http1Config.custom()
                                    .setMaxHeaderCount(100)
                                    .setMaxLineLength(8192)
                                    .build())
                            .build())
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(timeout)
                            .setSocketTimeout(timeout)
                            .build())
                    .setMaxConnTotal(200)
                    .setMaxConnPerRoute(20)
                    .build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectionRequestTimeout(timeout)
                    .setResponseTimeout(timeout)
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableContentCompression()
            .setUserAgent("Attachments-Webhooks/1")
            .build();
  }

  /**
   * @return the receiver's status code
   * @throws RefusedAddress when the host resolves to an address deliveries must not reach
   * @throws IOException when the receiver did not answer in time, or not at all
   */
  int post(URI target, Map<String, String> headers, String body) throws IOException {
    HttpPost post = new HttpPost(target);
    headers.forEach(post::setHeader);
    post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
    ScheduledFuture<?> cut =
        timer.schedule(post::cancel, deadline.toMillis(), TimeUnit.MILLISECONDS);
    try {
      ClassicHttpResponse response = http.executeOpen(null, post, null);
      int status = response.getCode();
      HttpEntity answer = response.getEntity();
      if (answer != null && answer.getContentLength() != 0) {
        // whatever the receiver sends after its headers is not read: the connection is dropped
        // rather than drained, however long the body or slowly it comes
        post.cancel();
      }
      try {
        response.close();
      } catch (IOException dropped) {
        // the connection was cut on purpose
      }
      return status;
    } catch (IOException e) {
      if (post.isCancelled() && !(e instanceof RefusedAddress)) {
        throw new InterruptedIOException("no answer within " + deadline.toSeconds() + " s");
      }
      throw e;
    } finally {
      cut.cancel(false);
    }
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    http.close();
  }
}
