package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark for the capacity model, not a test: batches of text files of each size are uploaded at
 * once and released, and the CPU time each part of the stack spent on them is read from /proc (the
 * worker, clamd, the API, the Temporal dev server; "rest" is the machine's other busy time: s3proxy
 * and the client in this JVM, PostgreSQL). Prints CPU milliseconds per attachment per part, and
 * what one core of each would release per second at that size. Run from the repository root after
 * packaging: {@code ATTACHMENTS_TEMPORAL_CLI=$(scripts/temporal-cli) mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.Capacity [-Dexec.args="60 65536,1048576,8388608 8"]}
 * (uploads a size, sizes, client threads).
 */
public final class Capacity {
  private static final AccessKeys.Minted BENCH = AccessKeys.mint("bench");
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  public static void main(String[] args) throws Exception {
    int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    String[] sizes = (args.length > 1 ? args[1] : "65536,1048576,8388608").split(",");
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    Path data = Files.createTempDirectory("attachments-capacity");
    try (EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(), data, FreePort.pick(), BENCH.entry(), Map.of()))) {
      AttachmentsClient client = new AttachmentsClient(stack.apiUrl(), BENCH.key());
      Map<String, Long> parts = new LinkedHashMap<>();
      parts.put("worker", stack.worker().pid());
      parts.put("clamd", stack.clamd().pid());
      parts.put("api", stack.api().pid());
      parts.put("temporal", stack.temporalPid());
      System.out.printf(
          "%d uploads a size from %d client threads on %s; CPU ms per attachment%n",
          uploads,
          clients,
          stack.temporalPid() < 0
              ? "the Java test server (in this JVM: counted in rest)"
              : "temporal server start-dev");
      System.out.printf(
          "%10s %8s %8s %8s %8s %8s %8s %10s %10s%n",
          "size",
          "worker",
          "clamd",
          "api",
          "temporal",
          "rest",
          "wall/s",
          "per-worker-core/s",
          "per-clamd-core/s");
      batch(client, 8, 4096, clients); // warm-up: JVMs, pools, clamd's first scans
      for (String size : sizes) {
        int bytes = Integer.parseInt(size.trim());
        Map<String, Long> before = ticks(parts);
        long busyBefore = machineBusyTicks();
        long started = System.nanoTime();
        batch(client, uploads, bytes, clients);
        double wall = (System.nanoTime() - started) / 1e9;
        Map<String, Long> after = ticks(parts);
        long busy = machineBusyTicks() - busyBefore;
        Map<String, Double> msPer = new LinkedHashMap<>();
        long counted = 0;
        for (String part : parts.keySet()) {
          long used = after.get(part) - before.get(part);
          counted += used;
          msPer.put(part, used * 1000.0 / TICKS_PER_SECOND / uploads);
        }
        double rest = (busy - counted) * 1000.0 / TICKS_PER_SECOND / uploads;
        System.out.printf(
            "%10d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %10.1f %10.1f%n",
            bytes,
            msPer.get("worker"),
            msPer.get("clamd"),
            msPer.get("api"),
            msPer.get("temporal"),
            rest,
            uploads / wall,
            1000 / msPer.get("worker"),
            1000 / msPer.get("clamd"));
      }
    }
  }

  /** Uploads them all at once, then waits until every one is RELEASED. */
  private static void batch(AttachmentsClient client, int uploads, int size, int clients)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < uploads; i++) {
      int n = i;
      sent.add(
          pool.submit(
              () -> {
                byte[] content = text(size, n);
                JsonNode created = client.create("load-" + n + ".txt", "text/plain", size);
                if (client.upload(created, content) != 200) {
                  throw new IllegalStateException("upload " + n + " was refused");
                }
                String id = created.get("id").asText();
                client.complete(id);
                ids.add(id);
                return null;
              }));
    }
    for (Future<?> upload : sent) {
      upload.get();
    }
    pool.shutdown();
    Set<String> released = new HashSet<>();
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (released.size() < uploads) {
      for (JsonNode attachment : Throughput.listAll(client)) {
        String id = attachment.get("id").asText();
        String status = attachment.get("status").asText();
        if (ids.contains(id) && status.equals("RELEASED")) {
          released.add(id);
        } else if (ids.contains(id) && !Set.of("PROCESSING", "AWAITING_UPLOAD").contains(status)) {
          throw new IllegalStateException(id + " ended " + status);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(released.size() + " of " + uploads + " released");
      }
      Thread.sleep(200);
    }
  }

  /** Printable ASCII: a text file clamd reads whole and nobody previews. */
  private static byte[] text(int size, int seed) {
    byte[] content = new byte[size];
    Random random = new Random(seed);
    for (int i = 0; i < size; i++) {
      content[i] = (byte) (i % 80 == 79 ? '\n' : 32 + random.nextInt(95));
    }
    return content;
  }

  private static Map<String, Long> ticks(Map<String, Long> pids) throws IOException {
    Map<String, Long> ticks = new LinkedHashMap<>();
    for (Map.Entry<String, Long> part : pids.entrySet()) {
      ticks.put(part.getKey(), part.getValue() < 0 ? 0 : processTicks(part.getValue()));
    }
    return ticks;
  }

  /** utime + stime, and those of its waited-for children (the worker's render JVMs, ffmpeg). */
  private static long processTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields after the name: state is [0]; utime [11], stime [12], cutime [13], cstime [14]
    return Long.parseLong(fields[11])
        + Long.parseLong(fields[12])
        + Long.parseLong(fields[13])
        + Long.parseLong(fields[14]);
  }

  private static long machineBusyTicks() throws IOException {
    String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < cpu.length; i++) {
      if (i != 4 && i != 5) { // not idle, not iowait
        busy += Long.parseLong(cpu[i]);
      }
    }
    return busy;
  }

  private Capacity() {}
}
