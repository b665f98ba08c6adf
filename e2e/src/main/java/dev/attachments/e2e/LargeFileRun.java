package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a test: multi-gigabyte files through the whole pipeline with a worker capped at {@code
 * -Xmx256m}, to show that nothing holds a file in memory. Uploads each file in parallel parts made
 * on the fly, waits for the verdict, downloads what was released and compares digests, and prints
 * the worker's peak resident memory. Run from the repository root after packaging (needs about 5x
 * the sizes in free disk): {@code mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.LargeFileRun [-Dexec.args="3221225472 2040109465"]}
 */
public final class LargeFileRun {
  private static final AccessKeys.Minted BIG = AccessKeys.mint("big");
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");

  public static void main(String[] args) throws Exception {
    List<Long> sizes = new ArrayList<>();
    for (String arg : args.length > 0 ? args : new String[] {"3221225472", "2040109465"}) {
      sizes.add(Long.parseLong(arg));
    }
    Path data = Files.createTempDirectory("attachments-large-run");
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                BIG.entry(),
                Map.of(
                    "ATTACHMENTS_WORKER_HEAP",
                    "256m",
                    // copy in parts above 1 GiB here, so that these files take the path of >5 GiB
                    // ones
                    "ATTACHMENTS_MULTIPART_COPY_THRESHOLD",
                    Long.toString(1L << 30),
                    // 3 GiB is over what can be scanned: taken only to be held unscanned
                    "ATTACHMENTS_MAX_SIZE",
                    Long.toString(5L << 30))))) {
      AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), BIG.key());
      System.out.printf(
          "worker pid %d runs with -Xmx256m; data in %s%n", stack.worker().pid(), data);
      HeapWatch heap = new HeapWatch(stack.workerMetricsUrl());
      Thread watching = new Thread(heap, "heap-watch");
      watching.setDaemon(true);
      watching.start();
      for (long size : sizes) {
        run(client, size);
        System.out.printf(
            "P3 worker peak resident memory (-Xmx256m) once %d MiB went through: %d MiB; peak heap"
                + " used %d MiB (sampled every 250 ms)%n",
            size >> 20, stack.worker().peakResidentBytes() >> 20, heap.peak() >> 20);
      }
    }
  }

  /**
   * The most heap the worker has used, summed over its pools, from its Prometheus metrics
   * (jvm_memory_used_bytes, area heap) read every 250 ms.
   */
  private static final class HeapWatch implements Runnable {
    private final java.net.URI metrics;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    private volatile long peak;

    HeapWatch(java.net.URI metrics) {
      this.metrics = metrics;
    }

    long peak() {
      return peak;
    }

    @Override
    public void run() {
      while (true) {
        try {
          String text =
              http.send(
                      java.net.http.HttpRequest.newBuilder(metrics).build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .body();
          long used =
              text.lines()
                  .filter(line -> line.startsWith("jvm_memory_used_bytes{"))
                  .filter(line -> line.contains("area=\"heap\""))
                  .mapToLong(
                      line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                  .sum();
          peak = Math.max(peak, used);
        } catch (InterruptedException e) {
          return;
        } catch (java.io.IOException | RuntimeException e) {
          // a missed sample; the next one counts
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static void run(AttachmentsClient client, long size) throws Exception {
    long start = System.nanoTime();
    JsonNode created = client.create(Movies.name("large-" + size), Movies.TYPE, size);
    String id = created.get("id").asText();
    long partSize = created.get("upload").get("partSize").asLong();
    int partCount = created.get("upload").get("partCount").asInt();
    MessageDigest whole = MessageDigest.getInstance("SHA-256");
    Map<Integer, String> etags = new TreeMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int batch = 1; batch <= partCount; batch += 1000) {
        List<Integer> numbers = new ArrayList<>();
        for (int n = batch; n < Math.min(partCount + 1, batch + 1000); n++) {
          numbers.add(n);
        }
        JsonNode presigned = client.presignParts(id, numbers);
        // four parts in flight at a time, each made just before it is sent, hashed in order
        List<Future<String>> window = new ArrayList<>();
        List<Integer> windowNumbers = new ArrayList<>();
        for (JsonNode part : presigned) {
          int number = part.get("partNumber").asInt();
          byte[] bytes = part(number, Math.min(partSize, size - (number - 1) * partSize));
          whole.update(bytes);
          window.add(pool.submit(() -> client.uploadPart(part, bytes, 0, bytes.length)));
          windowNumbers.add(number);
          if (window.size() == 4) {
            drain(window, windowNumbers, etags);
          }
        }
        drain(window, windowNumbers, etags);
      }
    } finally {
      pool.shutdownNow();
    }
    double uploaded = (System.nanoTime() - start) / 1e9;
    client.completeParts(id, etags);
    JsonNode attachment = client.awaitStatus(id, FINAL, Duration.ofMinutes(30));
    double processed = (System.nanoTime() - start) / 1e9 - uploaded;
    String expected = HexFormat.of().formatHex(whole.digest());
    System.out.printf(
        "%d bytes in %d parts: uploaded in %.1f s, %s after %.1f s more (scan %s%s)%n",
        size,
        partCount,
        uploaded,
        attachment.get("status").asText(),
        processed,
        attachment.path("scan").path("verdict").asText(),
        attachment.path("scan").path("signature").isTextual()
            ? ": " + attachment.path("scan").path("signature").asText()
            : "");
    if (attachment.get("status").asText().equals("RELEASED")) {
      String url =
          client
              .call("GET", "/v1/attachments/" + id + "/download", null)
              .body()
              .get("url")
              .asText();
      HttpResponse<InputStream> download =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      MessageDigest downloaded = MessageDigest.getInstance("SHA-256");
      try (InputStream in = download.body()) {
        byte[] buffer = new byte[1 << 20];
        int n;
        while ((n = in.read(buffer)) > 0) {
          downloaded.update(buffer, 0, n);
        }
      }
      String got = HexFormat.of().formatHex(downloaded.digest());
      System.out.printf(
          "  scan digest %s the upload's; download digest %s it%n",
          expected.equals(attachment.get("sha256").asText()) ? "matches" : "DIFFERS FROM",
          expected.equals(got) ? "matches" : "DIFFERS FROM");
    }
  }

  private static void drain(
      List<Future<String>> window, List<Integer> numbers, Map<Integer, String> etags)
      throws Exception {
    for (int i = 0; i < window.size(); i++) {
      etags.put(numbers.get(i), window.get(i).get());
    }
    window.clear();
    numbers.clear();
  }

  /**
   * The bytes of one part, the same every run: random, so that nothing compresses or deduplicates
   * them.
   */
  private static byte[] part(int number, long length) {
    byte[] bytes = new byte[(int) length];
    new Random(number).nextBytes(bytes);
    return number == 1 ? Movies.headed(bytes) : bytes;
  }

  private LargeFileRun() {}
}
