package dev.attachments.e2e;

import dev.attachments.stack.LocalTemporal;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark, not a test: what the Temporal server alone gives on this machine, the anchor the
 * pipeline's figures are read against. Raw workflow starts per second from client threads, with
 * their p99; and the plainest workflow (three no-op activities) completed per second. Run from the
 * repository root after packaging, with {@code ATTACHMENTS_TEMPORAL_CLI=$(scripts/temporal-cli)}
 * for the dev server (else the Java test server): {@code mvn -q -B -pl e2e exec:java
 * -Dexec.mainClass=dev.attachments.e2e.TemporalBaseline [-Dexec.args="workflows threads"]}
 */
public final class TemporalBaseline {
  static final String QUEUE = "temporal-baseline";

  /** The plainest workflow: three activities that do nothing, one after the other. */
  @WorkflowInterface
  public interface Plain {
    @WorkflowMethod
    void run();
  }

  @ActivityInterface
  public interface Steps {
    void first();

    void second();

    void third();
  }

  public static final class PlainImpl implements Plain {
    private final Steps steps =
        Workflow.newActivityStub(
            Steps.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());

    @Override
    public void run() {
      steps.first();
      steps.second();
      steps.third();
    }
  }

  static final class NoOps implements Steps {
    @Override
    public void first() {}

    @Override
    public void second() {}

    @Override
    public void third() {}
  }

  /**
   * @param startsPerSecond workflow starts the server took per second
   * @param startP50 and {@code startP99}: seconds one start call took
   * @param completedPerSecond plain workflows that ran to completion per second
   */
  public record Figures(
      double startsPerSecond, double startP50, double startP99, double completedPerSecond) {}

  /** Measures on the server behind {@code client}, with a worker of its own in this JVM. */
  public static Figures measure(WorkflowClient client, int workflows, int threads)
      throws Exception {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(PlainImpl.class);
    worker.registerActivitiesImplementations(new NoOps());
    ExecutorService clients = Executors.newFixedThreadPool(threads);
    try {
      // starts alone: no worker polls yet, so the server only records them
      String batch = UUID.randomUUID().toString();
      List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
      long started = System.nanoTime();
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < workflows; i++) {
        String id = "baseline-" + batch + "-" + i;
        calls.add(
            clients.submit(
                () -> {
                  long call = System.nanoTime();
                  WorkflowClient.start(
                      client.newWorkflowStub(
                              Plain.class,
                              WorkflowOptions.newBuilder()
                                  .setWorkflowId(id)
                                  .setTaskQueue(QUEUE)
                                  .build())
                          ::run);
                  latencies.add((System.nanoTime() - call) / 1e9);
                }));
      }
      for (Future<?> call : calls) {
        call.get();
      }
      double startsPerSecond = workflows / ((System.nanoTime() - started) / 1e9);

      // then the worker runs them all: completions per second
      long running = System.nanoTime();
      factory.start();
      for (int i = 0; i < workflows; i++) {
        WorkflowStub.fromTyped(client.newWorkflowStub(Plain.class, "baseline-" + batch + "-" + i))
            .getResult(Void.class);
      }
      double completedPerSecond = workflows / ((System.nanoTime() - running) / 1e9);
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      return new Figures(
          startsPerSecond,
          sorted.get(sorted.size() / 2),
          sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1),
          completedPerSecond);
    } finally {
      clients.shutdownNow();
      factory.shutdownNow();
    }
  }

  public static void main(String[] args) throws Exception {
    int workflows = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    String cli = System.getenv("ATTACHMENTS_TEMPORAL_CLI");
    try (LocalTemporal temporal =
        cli == null || cli.isBlank()
            ? LocalTemporal.start()
            : LocalTemporal.startDev(
                Path.of(cli), Files.createTempDirectory("attachments-baseline"))) {
      WorkflowServiceStubs service =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      WorkflowClient client = WorkflowClient.newInstance(service);
      measure(client, 20, threads); // warms the JVM, the server and the connections
      Figures figures = measure(client, workflows, threads);
      System.out.printf(
          "raw workflow starts: %.1f/s from %d threads, p50 %.1f ms, p99 %.1f ms%n",
          figures.startsPerSecond(), threads, figures.startP50() * 1000, figures.startP99() * 1000);
      System.out.printf(
          "plain workflows (three no-op activities) completed: %.2f/s (%d workflows, %s)%n",
          figures.completedPerSecond(), workflows, cli == null ? "Java test server" : "dev server");
      service.shutdown();
    }
  }

  private TemporalBaseline() {}
}
