package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test: the same file uploaded as one presigned PUT and as parallel multipart
 * parts, and then downloaded with one GET and with parallel ranged GETs, through toxiproxy adding
 * latency and capping each connection's bandwidth, the way a far-away client sees S3. Both stacks
 * run the same code; only ATTACHMENTS_MULTIPART_THRESHOLD differs. Run from the repository root
 * after packaging: {@code mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.AccelerationBenchmark -Dexec.args="$(scripts/toxiproxy)
 * [sizeMiB latencyMs rateKBps parallel]"}
 */
public final class AccelerationBenchmark {
  private static final AccessKeys.Minted BENCH = AccessKeys.mint("bench");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] args) throws Exception {
    String toxiproxyServer = args[0];
    int sizeMib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int latencyMs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int rateKBps = args.length > 3 ? Integer.parseInt(args[3]) : 8 * 1024;
    int parallel = args.length > 4 ? Integer.parseInt(args[4]) : 8;
    byte[] content = new byte[sizeMib * 1024 * 1024];
    new Random(1).nextBytes(content);
    Movies.headed(content);

    int apiPort = FreePort.pick();
    Process toxiproxy =
        new ProcessBuilder(
                toxiproxyServer, "-host", "127.0.0.1", "-port", Integer.toString(apiPort))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    URI toxiproxyApi = URI.create("http://127.0.0.1:" + apiPort);
    try {
      awaitUp(toxiproxyApi.resolve("/version"));
      System.out.printf(
          "%d MiB through toxiproxy: +%d ms latency each way, %d KB/s per connection, %d parallel connections%n",
          sizeMib, latencyMs, rateKBps, parallel);
      double single = upload(toxiproxyApi, "single", content, latencyMs, rateKBps, parallel, false);
      double multipart =
          upload(toxiproxyApi, "multipart", content, latencyMs, rateKBps, parallel, true);
      System.out.printf(
          "P6 upload speedup, parallel multipart over one PUT: %.1fx%n", single / multipart);
    } finally {
      toxiproxy.destroy();
      toxiproxy.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts a stack whose presigned URLs point at a fresh toxiproxy proxy in front of its S3;
   * answers seconds.
   */
  private static double upload(
      URI toxiproxyApi,
      String mode,
      byte[] content,
      int latencyMs,
      int rateKBps,
      int parallel,
      boolean multipart)
      throws Exception {
    int proxyPort = FreePort.pick();
    long threshold = multipart ? 16L * 1024 * 1024 : 5L * 1024 * 1024 * 1024;
    Path data = Files.createTempDirectory("attachments-accel-" + mode);
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                BENCH.entry(),
                Map.of(
                    "ATTACHMENTS_S3_PUBLIC_ENDPOINT",
                    "http://127.0.0.1:" + proxyPort,
                    "ATTACHMENTS_MULTIPART_THRESHOLD",
                    Long.toString(threshold))))) {
      URI s3 = stack.s3().endpoint();
      post(
          toxiproxyApi.resolve("/proxies"),
          "{\"name\":\""
              + mode
              + "\",\"listen\":\"127.0.0.1:"
              + proxyPort
              + "\",\"upstream\":\"127.0.0.1:"
              + s3.getPort()
              + "\",\"enabled\":true}");
      for (String stream : List.of("upstream", "downstream")) {
        post(
            toxiproxyApi.resolve("/proxies/" + mode + "/toxics"),
            "{\"name\":\"latency_"
                + stream
                + "\",\"type\":\"latency\",\"stream\":\""
                + stream
                + "\",\"attributes\":{\"latency\":"
                + latencyMs
                + "}}");
        post(
            toxiproxyApi.resolve("/proxies/" + mode + "/toxics"),
            "{\"name\":\"bandwidth_"
                + stream
                + "\",\"type\":\"bandwidth\",\"stream\":\""
                + stream
                + "\",\"attributes\":{\"rate\":"
                + rateKBps
                + "}}");
      }
      AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), BENCH.key());
      long start = System.nanoTime();
      JsonNode created = client.create(Movies.name("bench-" + mode), Movies.TYPE, content.length);
      String id = created.get("id").asText();
      if (multipart) {
        uploadInParts(client, id, created.get("upload"), content, parallel);
      } else if (client.upload(created, content) != 200) {
        throw new IOException("the single PUT failed");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "%-9s upload: %6.1f s (%.1f MiB/s)%n",
          mode, seconds, content.length / 1048576.0 / seconds);
      if (multipart) {
        download(client, id, content, parallel);
      } else {
        client.complete(id);
      }
      return seconds;
    }
  }

  private static void uploadInParts(
      AttachmentsClient client, String id, JsonNode upload, byte[] content, int parallel)
      throws Exception {
    long partSize = upload.get("partSize").asLong();
    List<Integer> numbers = new ArrayList<>();
    for (int n = 1; n <= upload.get("partCount").asInt(); n++) {
      numbers.add(n);
    }
    Map<Integer, String> etags = client.uploadParts(id, content, partSize, numbers, parallel);
    if (client.completeParts(id, etags).status() != 202) {
      throw new IOException("completing the multipart upload failed");
    }
  }

  /** One GET against parallel ranged GETs of the same released object, through the same proxy. */
  private static void download(AttachmentsClient client, String id, byte[] content, int parallel)
      throws Exception {
    client.awaitStatus(id, Set.of("RELEASED"), Duration.ofMinutes(5));
    String url =
        client.call("GET", "/v1/attachments/" + id + "/download", null).body().get("url").asText();
    long start = System.nanoTime();
    byte[] whole =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    double single = (System.nanoTime() - start) / 1e9;
    if (!Arrays.equals(whole, content)) {
      throw new IOException("the single download differs from the upload");
    }
    start = System.nanoTime();
    byte[] ranged = new byte[content.length];
    long rangeSize = (content.length + parallel - 1) / parallel;
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> ranges = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        int first = (int) (i * rangeSize);
        int last = (int) Math.min(content.length, first + rangeSize) - 1;
        ranges.add(
            pool.submit(
                () -> {
                  byte[] bytes =
                      HTTP.send(
                              HttpRequest.newBuilder(URI.create(url))
                                  .header("Range", "bytes=" + first + "-" + last)
                                  .build(),
                              HttpResponse.BodyHandlers.ofByteArray())
                          .body();
                  System.arraycopy(bytes, 0, ranged, first, bytes.length);
                  return null;
                }));
      }
      for (Future<?> range : ranges) {
        range.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double parallelSeconds = (System.nanoTime() - start) / 1e9;
    if (!Arrays.equals(ranged, content)) {
      throw new IOException("the ranged download differs from the upload");
    }
    System.out.printf(
        "download: one GET %.1f s, %d ranged GETs %.1f s: %.1fx%n",
        single, parallel, parallelSeconds, single / parallelSeconds);
  }

  private static void post(URI uri, String json) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException("toxiproxy answered " + response.statusCode() + ": " + response.body());
    }
  }

  private static void awaitUp(URI uri) throws InterruptedException, IOException {
    for (int i = 0; i < 100; i++) {
      try {
        HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IOException("toxiproxy did not start");
  }

  private AccelerationBenchmark() {}
}
