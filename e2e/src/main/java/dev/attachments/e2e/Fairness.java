package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * Benchmark, not a test: does one hostile owner delay another's releases and webhooks? The owner
 * {@code calm} uploads small PNGs one at a time, first alone, then while the owner {@code hostile}
 * floods the stack with PDFs whose page renders for minutes (each holds a preview slot until its
 * deadline kills it) and has its webhooks sent to a receiver that answers its headers and then
 * trickles the body (each delivery holds a slot until its 10 s deadline). Prints, for both phases,
 * calm's complete -> RELEASED and complete -> attachment.released received, p50 and p95, and the
 * hostile owner's own. Run from the repository root after {@code mvn -B -T1 install -DskipTests}:
 * {@code ATTACHMENTS_TEMPORAL_CLI=$(scripts/temporal-cli) mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.Fairness [-Dexec.args="20 40"]} (calm uploads per phase,
 * hostile uploads).
 */
public final class Fairness {
  private static final AccessKeys.Minted CALM = AccessKeys.mint("calm");
  private static final AccessKeys.Minted HOSTILE = AccessKeys.mint("hostile");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FINAL = Set.of("RELEASED", "QUARANTINED", "REJECTED", "FAILED");

  /** When each attachment's attachment.released event reached its receiver. */
  private static final Map<String, Long> releasedEventAt = new ConcurrentHashMap<>();

  /** The calm owner's client: only its receiver notes events. */
  private static AttachmentsClient calmClient;

  public static void main(String[] args) throws Exception {
    int calmUploads = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int hostileUploads = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    HttpServer receivers = receivers();
    Path data = Files.createTempDirectory("attachments-fairness");
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                CALM.entry() + "," + HOSTILE.entry(),
                Map.of()))) {
      AttachmentsClient calm = new AttachmentsClient(stack.apiUrl(), CALM.key());
      calmClient = calm;
      AttachmentsClient hostile = new AttachmentsClient(stack.apiUrl(), HOSTILE.key());
      register(calm, receivers, "/calm");
      register(hostile, receivers, "/trickle");
      byte[] png = png();

      calmRound(calm, png, 2); // warms the JVMs and pools: not counted
      List<double[]> alone = calmRound(calm, png, calmUploads);

      ExecutorService flood = Executors.newFixedThreadPool(4);
      List<Future<Double>> hostileReleases = new ArrayList<>();
      byte[] pdf = slowPdf();
      for (int i = 0; i < hostileUploads; i++) {
        int n = i;
        hostileReleases.add(
            flood.submit(() -> upload(hostile, "render-" + n + ".pdf", "application/pdf", pdf)[0]));
      }
      Thread.sleep(5_000); // the flood is under way: previews and deliveries are held
      List<double[]> flooded = calmRound(calm, png, calmUploads);
      List<Double> hostileSeconds = new ArrayList<>();
      for (Future<Double> release : hostileReleases) {
        hostileSeconds.add(release.get());
      }
      flood.shutdown();

      System.out.printf("%-44s %18s %18s%n", "", "complete->RELEASED", "->webhook received");
      System.out.printf("%-44s %8s %9s %8s %9s%n", "", "p50", "p95", "p50", "p95");
      row("calm alone (" + calmUploads + " PNGs, one at a time)", alone);
      row("calm during the hostile flood", flooded);
      List<Double> sorted = new ArrayList<>(hostileSeconds);
      Collections.sort(sorted);
      System.out.printf(
          "%-44s %7.3fs %8.3fs%n",
          "hostile (" + hostileUploads + " slow PDFs, 4 at a time)",
          percentile(sorted, 50),
          percentile(sorted, 95));
      System.out.println(
          "hostile: each PDF page renders for minutes (killed at the 60 s preview deadline); its"
              + " receiver trickles one byte a second (cut at the 10 s delivery deadline)");
    } finally {
      receivers.stop(0);
    }
  }

  /** Uploads one at a time; per upload, seconds to RELEASED and to its released event. */
  private static List<double[]> calmRound(AttachmentsClient calm, byte[] png, int uploads)
      throws Exception {
    List<double[]> seconds = new ArrayList<>();
    for (int i = 0; i < uploads; i++) {
      seconds.add(upload(calm, "calm-" + i + ".png", "image/png", png));
    }
    return seconds;
  }

  /** {seconds from complete to RELEASED, seconds from complete to the released event received}. */
  private static double[] upload(AttachmentsClient client, String name, String type, byte[] content)
      throws Exception {
    JsonNode created = client.create(name, type, content.length);
    if (client.upload(created, content) != 200) {
      throw new IllegalStateException("upload of " + name + " failed");
    }
    String id = created.get("id").asText();
    long completed = System.nanoTime();
    client.complete(id);
    JsonNode done = client.awaitStatus(id, FINAL, Duration.ofMinutes(5));
    long released = System.nanoTime();
    if (!done.get("status").asText().equals("RELEASED")) {
      throw new IllegalStateException(name + " ended " + done);
    }
    if (client != calmClient) {
      return new double[] {(released - completed) / 1e9, Double.NaN}; // its receiver never answers
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!releasedEventAt.containsKey(id) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Long event = releasedEventAt.get(id);
    return new double[] {
      (released - completed) / 1e9, event == null ? Double.NaN : (event - completed) / 1e9
    };
  }

  private static void row(String what, List<double[]> samples) {
    List<Double> release = new ArrayList<>();
    List<Double> webhook = new ArrayList<>();
    for (double[] sample : samples) {
      release.add(sample[0]);
      webhook.add(sample[1]);
    }
    Collections.sort(release);
    Collections.sort(webhook);
    System.out.printf(
        "%-44s %7.3fs %8.3fs %7.3fs %8.3fs%n",
        what,
        percentile(release, 50),
        percentile(release, 95),
        percentile(webhook, 50),
        percentile(webhook, 95));
  }

  private static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /**
   * {@code /calm} answers 204 at once and notes when each released event came; {@code /trickle}
   * sends its headers, then a byte a second for a minute.
   */
  private static HttpServer receivers() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/calm",
        exchange -> {
          long at = System.nanoTime();
          JsonNode event = JSON.readTree(exchange.getRequestBody().readAllBytes());
          if (event.path("type").asText().equals("attachment.released")) {
            releasedEventAt.putIfAbsent(event.path("attachment").path("id").asText(), at);
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.createContext(
        "/trickle",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 60; i++) {
              out.write(' ');
              out.flush();
              Thread.sleep(1000);
            }
          } catch (IOException | InterruptedException cut) {
            // the sender hung up at its deadline
          }
        });
    server.start();
    return server;
  }

  private static void register(AttachmentsClient client, HttpServer receivers, String path)
      throws Exception {
    String body =
        JSON.createObjectNode()
            .put("url", "http://127.0.0.1:" + receivers.getAddress().getPort() + path)
            .set(
                "events",
                JSON.valueToTree(
                    List.of(
                        "attachment.uploaded",
                        "attachment.released",
                        "attachment.quarantined",
                        "attachment.rejected",
                        "attachment.failed",
                        "attachment.preview_ready")))
            .toString();
    AttachmentsClient.Answer answer = client.call("POST", "/v1/webhooks", body);
    if (answer.status() != 201) {
      throw new IllegalStateException("webhook registration: " + answer.body());
    }
  }

  private static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 480; y++) {
      for (int x = 0; x < 640; x++) {
        image.setRGB(x, y, (x * 255 / 640) << 16 | (y * 255 / 480) << 8);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** A one-page PDF whose page is 300,000 full-page fills, Flate-compressed to a few KiB. */
  static byte[] slowPdf() {
    StringBuilder operators = new StringBuilder();
    for (int i = 0; i < 300_000; i++) {
      operators.append(i % 256 / 255f).append(" 0.5 0.5 rg 0 0 612 792 re f\n");
    }
    byte[] raw = operators.toString().getBytes(StandardCharsets.US_ASCII);
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    while (!deflater.finished()) {
      stream.write(buffer, 0, deflater.deflate(buffer));
    }
    byte[] content = stream.toByteArray();
    ByteArrayOutputStream pdf = new ByteArrayOutputStream();
    List<Integer> offsets = new ArrayList<>();
    write(pdf, "%PDF-1.4\n");
    String[] objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
    };
    for (int i = 0; i < objects.length; i++) {
      offsets.add(pdf.size());
      write(pdf, (i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n");
    }
    offsets.add(pdf.size());
    write(pdf, "4 0 obj\n<< /Length " + content.length + " /Filter /FlateDecode >>\nstream\n");
    pdf.writeBytes(content);
    write(pdf, "\nendstream\nendobj\n");
    int xref = pdf.size();
    StringBuilder table = new StringBuilder("xref\n0 5\n0000000000 65535 f \n");
    for (int offset : offsets) {
      table.append(String.format("%010d 00000 n \n", offset));
    }
    write(pdf, table + "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n" + xref + "\n%%EOF\n");
    return pdf.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }

  private Fairness() {}
}
