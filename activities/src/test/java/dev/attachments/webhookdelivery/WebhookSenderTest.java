package dev.attachments.webhookdelivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.attachments.webhook.WebhookTargets;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deliveries to real receivers on this machine that answer well, slowly, or not at all. */
class WebhookSenderTest {
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** A name that resolves, through the given targets' resolver only, to this machine. */
  private static URI at(int port) {
    return URI.create("http://hooks.example.com:" + port + "/in");
  }

  private WebhookSender sender(WebhookTargets targets) {
    WebhookSender sender = new WebhookSender(targets, DEADLINE);
    closing.add(sender);
    return sender;
  }

  private static WebhookTargets resolvingToLoopback(boolean allowInternal, AtomicInteger lookups) {
    return new WebhookTargets(
        allowInternal,
        host -> {
          lookups.incrementAndGet();
          return new InetAddress[] {LOOPBACK};
        });
  }

  /** A receiver that answers each request with {@code answer}, remembering the Host it was sent. */
  private int receiver(List<String> hosts, Answer answer) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          hosts.add(exchange.getRequestHeaders().getFirst("Host"));
          exchange.getRequestBody().readAllBytes();
          answer.write(exchange);
        });
    server.start();
    closing.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  interface Answer {
    void write(com.sun.net.httpserver.HttpExchange exchange) throws IOException;
  }

  private static final Answer NO_CONTENT =
      exchange -> {
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      };

  @Test
  void theConnectionGoesToTheAddressTheCheckAnsweredWithTheUrlsHostInTheHostHeader()
      throws Exception {
    List<String> hosts = new CopyOnWriteArrayList<>();
    int port = receiver(hosts, NO_CONTENT);
    AtomicInteger lookups = new AtomicInteger();

    int status = sender(resolvingToLoopback(true, lookups)).post(at(port), Map.of(), "{}");

    assertThat(status).isEqualTo(204);
    assertThat(hosts).containsExactly("hooks.example.com:" + port);
    assertThat(lookups).as("resolved once, by the check").hasValue(1);
  }

  @Test
  void aHostThatResolvesInwardIsNeverConnectedTo() throws Exception {
    List<String> hosts = new CopyOnWriteArrayList<>();
    int port = receiver(hosts, NO_CONTENT);

    assertThatThrownBy(
            () ->
                sender(resolvingToLoopback(false, new AtomicInteger()))
                    .post(at(port), Map.of(), "{}"))
        .isInstanceOf(WebhookSender.RefusedAddress.class)
        .hasMessageContaining("127.0.0.1");
    assertThat(hosts).as("no request reached the internal receiver").isEmpty();
  }

  @Test
  void aReceiverThatTricklesItsBodyIsAnsweredOnItsStatusAndNotReadFurther() throws Exception {
    int port =
        receiver(
            new CopyOnWriteArrayList<>(),
            exchange -> {
              exchange.sendResponseHeaders(200, 0); // chunked, and never ends
              OutputStream body = exchange.getResponseBody();
              try {
                for (int i = 0; i < 600; i++) {
                  body.write('x');
                  body.flush();
                  Thread.sleep(100);
                }
              } catch (IOException | InterruptedException gone) {
                // the sender hung up, as it should
              }
              exchange.close();
            });

    long started = System.nanoTime();
    int status =
        sender(resolvingToLoopback(true, new AtomicInteger())).post(at(port), Map.of(), "{}");

    assertThat(status).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DEADLINE);
  }

  @Test
  void aReceiverThatNeverAnswersGivesItsSlotBackAtTheDeadline() throws Exception {
    int port =
        receiver(
            new CopyOnWriteArrayList<>(),
            exchange -> {
              try {
                Thread.sleep(60_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });

    assertAnsweredAtTheDeadline(port);
  }

  /**
   * A receiver that sends its status line and then its headers a byte at a time: every read
   * succeeds within a socket timeout, so only a deadline for the whole exchange ends it.
   */
  @Test
  void aReceiverThatTricklesItsHeadersGivesItsSlotBackAtTheDeadline() throws Exception {
    ServerSocket server = new ServerSocket(0, 10, LOOPBACK);
    closing.add(server);
    Thread trickler =
        new Thread(
            () -> {
              try (Socket socket = server.accept()) {
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 600; i++) {
                  out.write('a');
                  out.flush();
                  Thread.sleep(200);
                }
              } catch (IOException | InterruptedException gone) {
                // the sender hung up
              }
            });
    trickler.setDaemon(true);
    trickler.start();

    assertAnsweredAtTheDeadline(server.getLocalPort());
  }

  private void assertAnsweredAtTheDeadline(int port) {
    WebhookSender sender = sender(resolvingToLoopback(true, new AtomicInteger()));
    long started = System.nanoTime();
    assertThatThrownBy(() -> sender.post(at(port), Map.of(), "{}"))
        .isInstanceOf(InterruptedIOException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(took).isGreaterThanOrEqualTo(DEADLINE.minusMillis(100));
    assertThat(took).isLessThan(DEADLINE.plusSeconds(1));
  }
}
