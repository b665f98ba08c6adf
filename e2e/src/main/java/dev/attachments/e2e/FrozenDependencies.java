package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark, not a test: what a client sees while PostgreSQL, then the Temporal server, stops
 * answering (SIGSTOP, its processes kept alive and silent) for a while, and whether anything is
 * lost. 20 uploads are PUT, the dependency frozen, and the 20 completes sent at once: printed, how
 * long each took to be answered and with what status. After the thaw the client retries the
 * completes it was told to retry, as Retry-After says; printed, how long until all 20 were
 * RELEASED. Needs the dev server for the Temporal half (the Java test server runs in this JVM). Run
 * from the repository root after {@code mvn -B -T1 install -DskipTests}: {@code
 * ATTACHMENTS_TEMPORAL_CLI=$(scripts/temporal-cli) mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.FrozenDependencies [-Dexec.args="20 45"]} (uploads, seconds
 * frozen).
 */
public final class FrozenDependencies {
  private static final AccessKeys.Minted BENCH = AccessKeys.mint("bench");

  public static void main(String[] args) throws Exception {
    int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Duration frozenFor = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 45);
    Path data = Files.createTempDirectory("attachments-frozen");
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(), data, FreePort.pick(), BENCH.entry(), Map.of()))) {
      AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), BENCH.key());
      List<Long> postgres = postgresProcesses(data.resolve("postgres"));
      round(client, "PostgreSQL", postgres, uploads, frozenFor);
      List<Long> temporal = temporalProcesses();
      if (temporal.isEmpty()) {
        System.out.println(
            "Temporal: the Java test server runs in this JVM; set ATTACHMENTS_TEMPORAL_CLI");
      } else {
        round(client, "Temporal", temporal, uploads, frozenFor);
      }
    }
  }

  private static void round(
      AttachmentsClient client, String what, List<Long> processes, int uploads, Duration frozenFor)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < uploads; i++) {
      byte[] content = ("frozen " + what + " " + i).getBytes();
      JsonNode created = client.create("frozen-" + i + ".txt", "text/plain", content.length);
      if (client.upload(created, content) != 200) {
        throw new IllegalStateException("upload " + i + " failed");
      }
      ids.add(created.get("id").asText());
    }
    signal("STOP", processes);
    long frozenAt = System.nanoTime();
    List<Double> answeredIn = new ArrayList<>();
    Map<String, Integer> statuses = new TreeMap<>();
    List<String> toRetry = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(uploads);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (String id : ids) {
        answers.add(
            pool.submit(
                () -> {
                  long sent = System.nanoTime();
                  String status;
                  try {
                    status = Integer.toString(client.complete(id).status());
                  } catch (HttpTimeoutException e) {
                    status = "no answer in 30 s";
                  }
                  synchronized (answeredIn) {
                    answeredIn.add((System.nanoTime() - sent) / 1e9);
                  }
                  return status;
                }));
      }
      for (int i = 0; i < ids.size(); i++) {
        String status = answers.get(i).get();
        statuses.merge(status, 1, Integer::sum);
        if (!status.equals("202")) {
          toRetry.add(ids.get(i));
        }
      }
    } finally {
      pool.shutdown();
    }
    long left = frozenFor.toNanos() - (System.nanoTime() - frozenAt);
    if (left > 0) {
      Thread.sleep(left / 1_000_000);
    }
    signal("CONT", processes);
    long thawedAt = System.nanoTime();
    for (String id : toRetry) {
      while (client.complete(id).status() != 202) {
        Thread.sleep(1000);
      }
    }
    for (String id : ids) {
      JsonNode done =
          client.awaitStatus(
              id,
              Set.of("RELEASED", "QUARANTINED", "REJECTED", "FAILED", "EXPIRED"),
              Duration.ofMinutes(3));
      if (!done.get("status").asText().equals("RELEASED")) {
        throw new IllegalStateException(what + ": " + id + " ended " + done);
      }
    }
    double allReleased = (System.nanoTime() - thawedAt) / 1e9;
    Collections.sort(answeredIn);
    System.out.printf(
        "%s frozen %d s: %d completes answered in p50 %.1f s, max %.1f s, statuses %s;"
            + " all %d RELEASED %.1f s after the thaw%n",
        what,
        frozenFor.toSeconds(),
        ids.size(),
        answeredIn.get(answeredIn.size() / 2),
        answeredIn.get(answeredIn.size() - 1),
        statuses,
        ids.size(),
        allReleased);
  }

  private static List<Long> postgresProcesses(Path folder) throws Exception {
    long postmaster =
        Long.parseLong(Files.readAllLines(folder.resolve("postmaster.pid")).get(0).trim());
    List<Long> processes = new ArrayList<>(List.of(postmaster));
    ProcessHandle.of(postmaster)
        .orElseThrow()
        .descendants()
        .forEach(child -> processes.add(child.pid()));
    return processes;
  }

  /** The dev server this JVM started, with what it started. */
  private static List<Long> temporalProcesses() {
    List<Long> processes = new ArrayList<>();
    ProcessHandle.current()
        .descendants()
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(a -> String.join(" ", a).contains("start-dev"))
                    .orElse(false))
        .forEach(
            p -> {
              processes.add(p.pid());
              p.descendants().forEach(child -> processes.add(child.pid()));
            });
    return processes;
  }

  private static void signal(String signal, List<Long> processes) throws Exception {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    processes.forEach(pid -> command.add(Long.toString(pid)));
    new ProcessBuilder(command).inheritIO().start().waitFor();
  }

  private FrozenDependencies() {}
}
