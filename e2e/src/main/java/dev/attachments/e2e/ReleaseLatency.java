package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.workflow.AttachmentRequest;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Benchmark, not a test: seconds from {@code complete} to RELEASED, and for the whole client round,
 * for N uploads of one size on the embedded stack; and what each released attachment cost Temporal:
 * the events of its workflow's history and the activity tasks among them, counted once the workflow
 * waits to sweep incoming (all it does for the attachment is done by then). Run from the repository
 * root after packaging: {@code mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.ReleaseLatency [-Dexec.args="20 1048576"]}
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
      WorkflowServiceStubs service =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalTarget()).build());
      WorkflowClient temporal = WorkflowClient.newInstance(service);
      List<Double> events = new ArrayList<>();
      List<Double> activities = new ArrayList<>();
      Random random = new Random(42);
      List<Double> toRelease = new ArrayList<>();
      List<Double> round = new ArrayList<>();
      long apiRead = 0;
      long workerRead = 0;
      Map<String, Long> workerThreadsRead = Map.of();
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
          // the first round warms the JVMs and connection pools: not counted
          apiRead = bytesRead(stack.api().pid());
          workerRead = bytesRead(stack.worker().pid());
          workerThreadsRead = bytesReadByThread(stack.worker().pid());
          continue;
        }
        toRelease.add((end - completed) / 1e9);
        round.add((end - start) / 1e9);
        List<HistoryEvent> history = historyUntilTheSweepWait(temporal, id);
        events.add((double) history.size());
        activities.add(
            (double)
                history.stream()
                    .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                    .count());
      }
      long uploaded = (long) uploads * size;
      double perByteApi = (bytesRead(stack.api().pid()) - apiRead) / (double) uploaded;
      double perByteWorker = (bytesRead(stack.worker().pid()) - workerRead) / (double) uploaded;
      Map<String, Long> workerThreadsReadAfter = bytesReadByThread(stack.worker().pid());
      long ownRead = 0;
      for (Map.Entry<String, Long> thread : workerThreadsReadAfter.entrySet()) {
        ownRead += thread.getValue() - workerThreadsRead.getOrDefault(thread.getKey(), 0L);
      }
      long threadsEnded =
          workerThreadsRead.keySet().stream()
              .filter(thread -> !workerThreadsReadAfter.containsKey(thread))
              .count();
      report("complete -> RELEASED", toRelease);
      System.out.printf(
          "P2 bytes read per uploaded byte (sockets and files, /proc/PID/io rchar, with every"
              + " request, poll and log of the run): API %.3f, worker JVM %.3f (its threads'"
              + " reads, %d of them ended in the run and are not counted); with the processes it"
              + " started and reaped (ffmpeg making posters, reading the video itself) %.3f%n",
          perByteApi, ownRead / (double) uploaded, threadsEnded, perByteWorker);
      System.out.printf(
          "P4 complete -> RELEASED, %d KiB one at a time: p50 %.3f s, p95 %.3f s; %.0f history"
              + " events, %.0f activity tasks per released attachment%n",
          size >> 10,
          median(toRelease),
          percentile95(toRelease),
          median(events),
          median(activities));
      report("create + PUT + complete -> RELEASED", round);
      System.out.printf(
          "%-38s median %.0f events, %.0f activity tasks (best %.0f, worst %.0f events)%n",
          "Temporal per released attachment",
          median(events),
          median(activities),
          Collections.min(events),
          Collections.max(events));
      service.shutdown();
      System.out.printf("%d uploads of %d bytes each, polling GET every 50 ms%n", uploads, size);
    }
  }

  /**
   * Bytes each live thread of the process has read so far, by thread id: the process's own reads,
   * without those of the children it reaped, which Linux adds to the process's total.
   */
  private static Map<String, Long> bytesReadByThread(long pid) throws java.io.IOException {
    Map<String, Long> reads = new HashMap<>();
    try (java.util.stream.Stream<Path> threads =
        Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads.toList()) {
        try {
          reads.put(thread.getFileName().toString(), bytesRead(thread.resolve("io")));
        } catch (java.nio.file.NoSuchFileException ended) {
          // the thread ended while we listed
        }
      }
    }
    return reads;
  }

  /** Bytes the process has read so far, from sockets, pipes and files alike. */
  private static long bytesRead(long pid) throws java.io.IOException {
    return bytesRead(Path.of("/proc", Long.toString(pid), "io"));
  }

  private static long bytesRead(Path io) throws java.io.IOException {
    return Files.readAllLines(io).stream()
        .filter(line -> line.startsWith("rchar:"))
        .mapToLong(line -> Long.parseLong(line.substring("rchar:".length()).trim()))
        .findFirst()
        .orElseThrow();
  }

  /** The history once the workflow waits to sweep incoming (its last event a started timer). */
  private static List<HistoryEvent> historyUntilTheSweepWait(WorkflowClient temporal, String id)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      List<HistoryEvent> history =
          temporal.fetchHistory(AttachmentRequest.workflowId(id)).getEvents();
      if (history.get(history.size() - 1).hasTimerStartedEventAttributes()
          || System.nanoTime() > deadline) {
        return history;
      }
      Thread.sleep(50);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.size() % 2 == 1
        ? sorted.get(sorted.size() / 2)
        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
  }

  private static double percentile95(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
  }

  private static void report(String what, List<Double> seconds) {
    System.out.printf(
        "%-38s median %.3f s, p95 %.3f s, best %.3f s, worst %.3f s%n",
        what,
        median(seconds),
        percentile95(seconds),
        Collections.min(seconds),
        Collections.max(seconds));
  }

  private ReleaseLatency() {}
}
