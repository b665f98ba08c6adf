package dev.attachments.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetentionWorkflowTest {
  private static final String QUEUE = "main";
  private static final Path HISTORY = Path.of("src/test/resources/histories/retention/sweep.json");

  /** Two pages of quarantine, one of incoming objects, one of uploads: what each call was given. */
  static class Pages implements RetentionActivities {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public RetentionPage purgeQuarantined(Instant before, String after, int limit) {
      calls.add("quarantine " + before + " " + after);
      return new RetentionPage(1, 0, after == null ? "q1" : null);
    }

    @Override
    public RetentionPage sweepIncoming(Instant before, String after, int limit) {
      calls.add("incoming " + before + " " + after);
      return new RetentionPage(1, 0, null);
    }

    @Override
    public RetentionPage abortStaleUploads(Instant before, String after, int limit) {
      calls.add("uploads " + before + " " + after);
      return new RetentionPage(0, 0, null);
    }
  }

  private TestWorkflowEnvironment env;
  private Pages pages;
  private WorkflowClient client;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    pages = new Pages();
    var worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(RetentionWorkflowImpl.class);
    worker.registerActivitiesImplementations(pages);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private void awaitCalls(int calls) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pages.calls.size() < calls && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void aSweepTakesItsCutOffsFromItsStartPagesThroughEachPartAndWaitsForTheNext() throws Exception {
    RetentionWorkflow workflow =
        client.newWorkflowStub(
            RetentionWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(RetentionWorkflow.WORKFLOW_ID)
                .setTaskQueue(QUEUE)
                .build());
    Instant begun = Instant.ofEpochMilli(env.currentTimeMillis());
    WorkflowExecution first =
        WorkflowClient.start(
            workflow::keep,
            new RetentionRequest(
                Duration.ofHours(1), Duration.ofDays(30), Duration.ofHours(25), 500));
    awaitCalls(4);
    assertThat(pages.calls).hasSize(4);
    assertThat(pages.calls.get(0)).startsWith("quarantine").endsWith(" null");
    assertThat(pages.calls.get(1)).startsWith("quarantine").endsWith(" q1");
    Instant quarantineCutOff = Instant.parse(pages.calls.get(0).split(" ")[1]);
    assertThat(Duration.between(quarantineCutOff, begun))
        .isBetween(Duration.ofDays(30).minusMinutes(1), Duration.ofDays(30).plusMinutes(1));
    Instant incomingCutOff = Instant.parse(pages.calls.get(2).split(" ")[1]);
    assertThat(Duration.between(incomingCutOff, begun))
        .isBetween(Duration.ofHours(25).minusMinutes(1), Duration.ofHours(25).plusMinutes(1));
    assertThat(pages.calls.get(3)).startsWith("uploads");

    client.newWorkflowStub(RetentionWorkflow.class, RetentionWorkflow.WORKFLOW_ID).sweepNow();
    awaitCalls(8);
    assertThat(pages.calls).hasSize(8);
    var history = client.fetchHistory(RetentionWorkflow.WORKFLOW_ID, first.getRunId());
    assertThat(history.getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    if (Boolean.getBoolean("recordHistories")) {
      Files.writeString(HISTORY, history.toJson(true));
    }
  }

  /** A change that would break the running retention workflow fails here. */
  @Test
  void theRecordedSweepReplaysOnTheCurrentCode() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        Files.readString(HISTORY), RetentionWorkflowImpl.class);
  }
}
