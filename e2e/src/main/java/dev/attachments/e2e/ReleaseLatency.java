package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Benchmark, not a test: seconds from {@code complete} to RELEASED, and for the whole client round,
 * for N uploads of one size on the embedded stack. Run from the repository root after packaging:
 * {@code mvn -q -B -pl e2e exec:java -Dexec.mainClass=dev.attachments.e2e.ReleaseLatency
 * [-Dexec.args="20 1048576"]}
 */
public final class ReleaseLatency {
  private static final AccessKeys.Minted BENCH = AccessKeys.mint("bench");

  public static void main(String[] args) throws Exception {
    int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 1024 * 1024;
    Path data = Files.createTempDirectory("attachments-bench");
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(), data, FreePort.pick(), BENCH.entry(), Map.of()))) {
      AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), BENCH.key());
      Random random = new Random(42);
      List<Double> toRelease = new ArrayList<>();
      List<Double> round = new ArrayList<>();
      for (int i = 0; i < uploads + 1; i++) {
        byte[] content = new byte[size];
        random.nextBytes(content);
        Movies.headed(content);
        long start = System.nanoTime();
        JsonNode created = client.create(Movies.name("bench-" + i), Movies.TYPE, size);
        if (client.upload(created, content) != 200) {
          throw new IllegalStateException("upload " + i + " failed");
        }
        String id = created.get("id").asText();
        long completed = System.nanoTime();
        client.complete(id);
        JsonNode done =
            client.awaitStatus(
                id, Set.of("RELEASED", "QUARANTINED", "REJECTED", "FAILED"), Duration.ofMinutes(2));
        long end = System.nanoTime();
        if (!done.get("status").asText().equals("RELEASED")) {
          throw new IllegalStateException("upload " + i + " ended " + done);
        }
        if (i == 0) {
          continue; // the first round warms the JVMs and connection pools: not counted
        }
        toRelease.add((end - completed) / 1e9);
        round.add((end - start) / 1e9);
      }
      report("complete -> RELEASED", toRelease);
      report("create + PUT + complete -> RELEASED", round);
      System.out.printf("%d uploads of %d bytes each, polling GET every 50 ms%n", uploads, size);
    }
  }

  private static void report(String what, List<Double> seconds) {
    List<Double> sorted = new ArrayList<>(seconds);
    Collections.sort(sorted);
    double median =
        sorted.size() % 2 == 1
            ? sorted.get(sorted.size() / 2)
            : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    System.out.printf(
        "%-38s median %.3f s, best %.3f s, worst %.3f s%n",
        what, median, sorted.get(0), sorted.get(sorted.size() - 1));
  }

  private ReleaseLatency() {}
}
