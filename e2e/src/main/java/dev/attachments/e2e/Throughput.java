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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark, not a test: many clients upload at once, and the stack scans and releases them all.
 * Prints uploads and releases per second and the spread of complete -> RELEASED (seen by polling
 * the owner's listing every 250 ms, so to within 0.25 s plus a listing's time). Then, on the same
 * server, its anchors: the plainest workflow run to completion per second against the releases per
 * second (P5), raw workflow starts per second against create-upload requests per second, with p99
 * (P7). Run from the repository root after packaging: {@code mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.Throughput [-Dexec.args="200 262144 16 1"]} (uploads, bytes
 * each, client threads, worker processes).
 */
public final class Throughput {
  private static final AccessKeys.Minted BENCH = AccessKeys.mint("bench");

  public static void main(String[] args) throws Exception {
    int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 256 * 1024;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int workers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    Path data = Files.createTempDirectory("attachments-throughput");
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(), data, FreePort.pick(), BENCH.entry(), Map.of()))) {
      for (int extra = 2; extra <= workers; extra++) {
        // every role, like the first: the task queues' work is shared between the processes
        stack.startWorker("worker-" + extra, Map.of());
      }
      AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), BENCH.key());
      warmUp(client, size);
      Map<String, Long> completedAt = new ConcurrentHashMap<>();
      Map<String, Long> releasedAt = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long start = System.nanoTime();
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        int n = i;
        sent.add(
            pool.submit(
                () -> {
                  byte[] content = new byte[size];
                  new Random(n).nextBytes(content);
                  Movies.headed(content);
                  JsonNode created = client.create(Movies.name("load-" + n), Movies.TYPE, size);
                  if (client.upload(created, content) != 200) {
                    throw new IllegalStateException("upload " + n + " was refused");
                  }
                  String id = created.get("id").asText();
                  client.complete(id);
                  completedAt.put(id, System.nanoTime());
                  return null;
                }));
      }
      for (Future<?> upload : sent) {
        upload.get();
      }
      long allSent = System.nanoTime();
      pool.shutdown();
      while (releasedAt.size() < uploads) {
        List<JsonNode> listing = listAll(client);
        long now = System.nanoTime();
        for (JsonNode attachment : listing) {
          String id = attachment.get("id").asText();
          String status = attachment.get("status").asText();
          if (completedAt.containsKey(id) && !releasedAt.containsKey(id)) {
            if (status.equals("RELEASED")) {
              releasedAt.put(id, now);
            } else if (!status.equals("PROCESSING") && !status.equals("AWAITING_UPLOAD")) {
              throw new IllegalStateException(id + " ended " + status + ": " + attachment);
            }
          }
        }
        if ((now - start) / 1e9 > 600) {
          throw new IllegalStateException(
              "only " + releasedAt.size() + " of " + uploads + " released in 10 minutes");
        }
        // a listing of every attachment, each time: more often would load the API and PostgreSQL
        // that the pipeline shares the two cores with
        Thread.sleep(250);
      }
      long allReleased = Collections.max(releasedAt.values());
      List<Double> latencies = new ArrayList<>();
      releasedAt.forEach((id, at) -> latencies.add((at - completedAt.get(id)) / 1e9));
      Collections.sort(latencies);
      double sending = (allSent - start) / 1e9;
      double total = (allReleased - start) / 1e9;
      System.out.printf(
          "%d uploads of %d bytes from %d client threads, %d worker process(es), on %s%n",
          uploads,
          size,
          clients,
          workers,
          stack.temporalUi() == null ? "the Java test server" : "temporal server start-dev");
      System.out.printf(
          "create + PUT + complete: all sent in %.1f s = %.1f uploads/s%n",
          sending, uploads / sending);
      System.out.printf(
          "all RELEASED %.1f s after the first create = %.1f releases/s%n", total, uploads / total);
      System.out.printf(
          "complete -> RELEASED: median %.2f s, p95 %.2f s, worst %.2f s%n",
          latencies.get(latencies.size() / 2),
          latencies.get((int) Math.ceil(latencies.size() * 0.95) - 1),
          latencies.get(latencies.size() - 1));
      System.out.printf("worker peak RSS %d MiB%n", stack.worker().peakResidentBytes() >> 20);

      // the anchors, on the same server in the same run, once the pipeline is idle
      WorkflowServiceStubs service =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalTarget()).build());
      WorkflowClient temporal = WorkflowClient.newInstance(service);
      Map<String, List<HistoryEvent>> histories = new HashMap<>();
      List<HistoryPhases> phases = new ArrayList<>();
      for (String id : releasedAt.keySet()) {
        histories.put(id, temporal.fetchHistory(AttachmentRequest.workflowId(id)).getEvents());
        phases.add(HistoryPhases.of(histories.get(id)));
      }
      String label = workers == 1 ? "" : " with " + workers + " worker processes";
      System.out.println("P5 where the time went" + label + ", " + HistoryPhases.report(phases));
      String slowest =
          Collections.max(
              releasedAt.keySet(),
              java.util.Comparator.comparingLong(id -> releasedAt.get(id) - completedAt.get(id)));
      System.out.println(
          "the slowest attachment's history (seconds after its start):\n"
              + HistoryPhases.timeline(histories.get(slowest)));
      TemporalBaseline.Figures raw = TemporalBaseline.measure(temporal, uploads, clients);
      service.shutdown();
      // last: the workflows of these attachments keep looking for uploads that never come
      Rate creates = creates(client, uploads, clients);
      System.out.printf(
          "P5 sustained%s: %.2f attachments/s vs %.2f raw three-activity workflows/s: ratio %.2f%n",
          label,
          uploads / total,
          raw.completedPerSecond(),
          uploads / total / raw.completedPerSecond());
      System.out.printf(
          "P7 create-upload%s: %.1f requests/s, p50 %.0f ms, p99 %.0f ms vs %.1f raw workflow"
              + " starts/s, p99 %.0f ms: ratio %.2f%n",
          label,
          creates.perSecond(),
          creates.p50() * 1000,
          creates.p99() * 1000,
          raw.startsPerSecond(),
          raw.startP99() * 1000,
          creates.perSecond() / raw.startsPerSecond());
    }
  }

  /** Requests per second from client threads, with the seconds one request took. */
  record Rate(double perSecond, double p50, double p99) {}

  /**
   * POST /v1/attachments alone, {@code count} times from {@code threads} client threads: each
   * starts its attachment's workflow (P7). The attachments are left to expire.
   */
  static Rate creates(AttachmentsClient client, int count, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      calls.add(
          pool.submit(
              () -> {
                long call = System.nanoTime();
                client.create(Movies.name("create-" + n), Movies.TYPE, 1024);
                latencies.add((System.nanoTime() - call) / 1e9);
                return null;
              }));
    }
    for (Future<?> call : calls) {
      call.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return new Rate(
        count / seconds,
        sorted.get(sorted.size() / 2),
        sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1));
  }

  /** The owner's attachments, every page of them. */
  static List<JsonNode> listAll(AttachmentsClient client) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    String cursor = null;
    do {
      AttachmentsClient.Answer page =
          client.call(
              "GET",
              "/v1/attachments?limit=100" + (cursor == null ? "" : "&cursor=" + cursor),
              null);
      if (page.status() != 200) {
        throw new IllegalStateException("listing answered " + page.status() + ": " + page.body());
      }
      page.body().get("items").forEach(all::add);
      cursor =
          page.body().path("nextCursor").isTextual()
              ? page.body().get("nextCursor").asText()
              : null;
    } while (cursor != null);
    return all;
  }

  /**
   * One upload through every part first, so that JVMs and pools are warm before the clock starts.
   */
  private static void warmUp(AttachmentsClient client, int size) throws Exception {
    JsonNode created = client.create(Movies.name("warm-up"), Movies.TYPE, size);
    client.upload(created, Movies.headed(new byte[size]));
    client.complete(created.get("id").asText());
    client.awaitStatus(
        created.get("id").asText(), java.util.Set.of("RELEASED"), java.time.Duration.ofMinutes(2));
  }

  private Throughput() {}
}
