package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Webhook events from the embedded stack to real HTTP receivers on this machine. */
class WebhookEndToEndTest {
  private static final AccessKeys.Minted GOOD = AccessKeys.mint("good");
  private static final AccessKeys.Minted FLAKY = AccessKeys.mint("flaky");
  private static final AccessKeys.Minted SILENT = AccessKeys.mint("silent");
  private static final Duration PROCESSING = Duration.ofSeconds(90);
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ALL_EVENTS =
      List.of(
          "attachment.uploaded",
          "attachment.released",
          "attachment.quarantined",
          "attachment.rejected",
          "attachment.expired",
          "attachment.failed",
          "attachment.preview_ready");

  private static final AccessKeys.Minted OPERATOR = AccessKeys.mint("ops");
  private static final String OPS_KEY = OPERATOR.key();
  private static EmbeddedStack stack;
  private static HttpServer receivers;

  /** What one receiver got: body, signature header, and whether the signature checked out. */
  record Received(JsonNode body, boolean signatureValid) {}

  private static final List<Received> good = new CopyOnWriteArrayList<>();
  private static final List<Received> flaky = new CopyOnWriteArrayList<>();
  private static final AtomicInteger flakyCalls = new AtomicInteger();
  private static final String[] secrets = new String[3];

  @BeforeAll
  static void start() throws Exception {
    receivers = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receivers.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    receivers.createContext(
        "/good",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          good.add(
              received(
                  body,
                  exchange.getRequestHeaders().getFirst("Attachments-Signature"),
                  secrets[0]));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receivers.createContext(
        "/flaky",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          boolean fail = flakyCalls.incrementAndGet() <= 3;
          if (!fail) {
            flaky.add(
                received(
                    body,
                    exchange.getRequestHeaders().getFirst("Attachments-Signature"),
                    secrets[1]));
          }
          exchange.sendResponseHeaders(fail ? 500 : 200, -1);
          exchange.close();
        });
    receivers.createContext(
        "/silent",
        exchange -> {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    receivers.start();
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                Files.createTempDirectory("attachments-webhooks"),
                FreePort.pick(),
                GOOD.entry() + "," + FLAKY.entry() + "," + SILENT.entry(),
                Map.of("ATTACHMENTS_OPS_KEYS", OPERATOR.entry())));
    secrets[0] = register(GOOD.key(), "/good");
    secrets[1] = register(FLAKY.key(), "/flaky");
    secrets[2] = register(SILENT.key(), "/silent");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (receivers != null) {
      receivers.stop(0);
    }
  }

  private static String register(String key, String path) throws Exception {
    AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), key);
    String body =
        JSON.createObjectNode()
            .put("url", "http://127.0.0.1:" + receivers.getAddress().getPort() + path)
            .set("events", JSON.valueToTree(ALL_EVENTS))
            .toString();
    AttachmentsClient.Answer answer = client.call("POST", "/v1/webhooks", body);
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
    return answer.body().get("secret").asText();
  }

  /**
   * Verifies the signature as a receiver should: the HMAC over "t.body", and a timestamp under 5
   * minutes old.
   */
  private static Received received(byte[] body, String header, String secret) {
    try {
      String t = header.split(",")[0].substring(2);
      String v1 = header.split(",")[1].substring(3);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String expected =
          HexFormat.of()
              .formatHex(
                  mac.doFinal(
                      (t + "." + new String(body, StandardCharsets.UTF_8))
                          .getBytes(StandardCharsets.UTF_8)));
      boolean fresh = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) < 300;
      return new Received(
          JSON.readTree(body),
          fresh && java.security.MessageDigest.isEqual(expected.getBytes(), v1.getBytes()));
    } catch (Exception e) {
      return new Received(null, false);
    }
  }

  private static List<Received> of(List<Received> all, String attachmentId) {
    return all.stream()
        .filter(
            r ->
                r.body() != null
                    && r.body().get("attachment").get("id").asText().equals(attachmentId))
        .toList();
  }

  private static List<Received> await(List<Received> all, String attachmentId, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + PROCESSING.toNanos();
    while (of(all, attachmentId).size() < count && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1000); // and nothing more arrives
    return of(all, attachmentId);
  }

  private static String process(AttachmentsClient client, String name, String type, byte[] content)
      throws Exception {
    JsonNode created = client.create(name, type, content.length);
    assertThat(client.upload(created, content)).isEqualTo(200);
    String id = created.get("id").asText();
    client.complete(id);
    client.awaitStatus(id, FINAL, PROCESSING);
    return id;
  }

  @Test
  void releasedAttachmentsEventsArriveOnceEachSignedAndInStageOrder() throws Exception {
    String id =
        process(
            new AttachmentsClient(stack.apiUrl(), GOOD.key()),
            "logo.png",
            "image/png",
            TestFiles.png(64, 64));

    List<Received> events = await(good, id, 3);

    assertThat(events)
        .extracting(r -> r.body().get("type").asText())
        .containsExactly("attachment.uploaded", "attachment.released", "attachment.preview_ready");
    assertThat(events).allMatch(Received::signatureValid);
    assertThat(events).extracting(r -> r.body().get("id").asText()).doesNotHaveDuplicates();
    JsonNode released = events.get(1).body();
    assertThat(released.get("attachment").get("status").asText()).isEqualTo("RELEASED");
    assertThat(released.get("attachment").get("scan").get("verdict").asText()).isEqualTo("CLEAN");
    assertThat(released.get("occurredAt").asText()).isNotBlank();
  }

  /**
   * One view of an attachment everywhere: the last payload's attachment is, field for field, what
   * {@code GET /v1/attachments/{id}} answers (which adds the audit), what the owner's listing and
   * the operators' listing (which adds the owner) give for it.
   */
  @Test
  void theAttachmentReadsTheSameInTheWebhookTheApiTheListingAndTheOpsListing() throws Exception {
    AttachmentsClient owner = new AttachmentsClient(stack.apiUrl(), GOOD.key());
    String id = process(owner, "badge.png", "image/png", TestFiles.png(48, 48));
    List<Received> events = await(good, id, 3);
    assertThat(events).hasSize(3);
    JsonNode payload = unsigned(events.get(2).body().get("attachment"));
    assertThat(payload.get("preview").get("status").asText()).isEqualTo("READY");

    ObjectNode single = (ObjectNode) unsigned(owner.get(id).body());
    assertThat(single.remove("audit").isArray()).isTrue();
    assertThat(payload.get("audit").isNull()).isTrue();
    ObjectNode fromPayload = ((ObjectNode) payload.deepCopy());
    fromPayload.remove("audit");
    assertThat(single).isEqualTo(fromPayload);

    JsonNode listed = item(owner.call("GET", "/v1/attachments?limit=100", null), id);
    assertThat(listed).isEqualTo(payload);

    ObjectNode opsListed =
        (ObjectNode)
            item(
                new AttachmentsClient(stack.apiUrl(), OPS_KEY)
                    .call("GET", "/v1/ops/attachments?limit=500", null),
                id);
    assertThat(opsListed.remove("owner").asText()).isEqualTo("good");
    assertThat(opsListed).isEqualTo(payload);
  }

  /**
   * The attachment with its preview URLs cut before their query: each answer presigns them anew,
   * with its own expiry, so only what they point at can be the same.
   */
  private static JsonNode unsigned(JsonNode attachment) {
    ObjectNode copy = attachment.deepCopy();
    ObjectNode urls = (ObjectNode) copy.path("preview").path("urls");
    urls.fieldNames()
        .forEachRemaining(
            name -> urls.put(name, urls.get(name).asText().replaceFirst("\\?.*", "")));
    assertThat(urls.size()).isPositive();
    return copy;
  }

  private static JsonNode item(AttachmentsClient.Answer listing, String id) {
    assertThat(listing.status()).as(listing.body().toString()).isEqualTo(200);
    for (JsonNode item : listing.body().get("items")) {
      if (item.get("id").asText().equals(id)) {
        return unsigned(item);
      }
    }
    throw new AssertionError("no " + id + " in " + listing.body());
  }

  @Test
  void quarantinedAttachmentsEventsArriveOnceEachSignedAndInStageOrder() throws Exception {
    String id =
        process(
            new AttachmentsClient(stack.apiUrl(), GOOD.key()),
            "eicar.txt",
            "text/plain",
            TestFiles.eicar());

    List<Received> events = await(good, id, 2);

    assertThat(events)
        .extracting(r -> r.body().get("type").asText())
        .containsExactly("attachment.uploaded", "attachment.quarantined");
    assertThat(events).allMatch(Received::signatureValid);
    assertThat(events.get(1).body().get("attachment").get("scan").get("signature").asText())
        .contains("Eicar");
  }

  @Test
  void receiverThatFailsThreeTimesGetsTheEventOnTheFourthAttemptAndEveryAttemptIsListed()
      throws Exception {
    AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), FLAKY.key());
    String id = process(client, "report.pdf", "application/pdf", TestFiles.pdf());

    List<Received> events = await(flaky, id, 3);
    assertThat(events)
        .extracting(r -> r.body().get("type").asText())
        .first()
        .isEqualTo("attachment.uploaded");
    assertThat(events).allMatch(Received::signatureValid);

    String endpoint =
        client.call("GET", "/v1/webhooks", null).body().get("items").get(0).get("id").asText();
    JsonNode deliveries =
        client.call("GET", "/v1/webhooks/" + endpoint + "/deliveries", null).body().get("items");
    String uploadedEvent = events.get(0).body().get("id").asText();
    List<JsonNode> attempts = new java.util.ArrayList<>();
    deliveries.forEach(
        d -> {
          if (d.get("eventId").asText().equals(uploadedEvent)) attempts.add(d);
        });
    assertThat(attempts)
        .extracting(d -> d.get("attempt").asInt())
        .containsExactlyInAnyOrder(1, 2, 3, 4);
    assertThat(attempts)
        .extracting(d -> d.get("statusCode").asInt())
        .containsExactlyInAnyOrder(500, 500, 500, 200);

    // and a delivery can be asked for again
    String last =
        attempts.stream()
            .filter(d -> d.get("statusCode").asInt() == 200)
            .findFirst()
            .orElseThrow()
            .get("id")
            .asText();
    int before = of(flaky, id).size();
    assertThat(
            client
                .call(
                    "POST", "/v1/webhooks/" + endpoint + "/deliveries/" + last + "/redeliver", null)
                .status())
        .isEqualTo(202);
    assertThat(await(flaky, id, before + 1)).hasSize(before + 1);
  }

  @Test
  void receiverThatNeverAnswersDoesNotHoldUpTheRelease() throws Exception {
    AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), SILENT.key());
    long start = System.nanoTime();

    String id = process(client, "fast.png", "image/png", TestFiles.png(10, 10));

    assertThat(client.get(id).body().get("status").asText()).isEqualTo("RELEASED");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }
}
