package dev.attachments.recovery;

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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecoveryWorkflowTest {
  private static final String QUEUE = "recovery";
  private static final Path HISTORY = Path.of("src/test/resources/histories/recovery/round.json");

  /** Three pages: the cursor each call was given, in order. */
  static class ThreePages implements RecoveryActivities {
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    public RecoveryPage reconcilePage(String after, int limit) {
      asked.add(String.valueOf(after));
      String next =
          switch (String.valueOf(after)) {
            case "null" -> "a";
            case "a" -> "b";
            default -> null;
          };
      return new RecoveryPage(limit, 1, 0, next);
    }
  }

  private TestWorkflowEnvironment env;
  private ThreePages pages;
  private WorkflowClient client;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    pages = new ThreePages();
    var worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(RecoveryWorkflowImpl.class);
    worker.registerActivitiesImplementations(pages);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private RecoveryWorkflow stub() {
    return client.newWorkflowStub(
        RecoveryWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(RecoveryWorkflow.WORKFLOW_ID)
            .setTaskQueue(QUEUE)
            .build());
  }

  private void awaitCalls(int calls) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pages.asked.size() < calls && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void aRoundPagesThroughEverythingThenWaitsAndTheNextRoundStartsFromTheTop() throws Exception {
    WorkflowClient.start(stub()::reconcile, new RecoveryRequest(Duration.ofMinutes(5), 500, null));
    awaitCalls(3);
    assertThat(pages.asked).containsExactly("null", "a", "b");

    env.sleep(Duration.ofMinutes(6));
    awaitCalls(6);
    assertThat(pages.asked).containsExactly("null", "a", "b", "null", "a", "b");
  }

  @Test
  void askingForARoundWakesTheWaitAndEachRoundIsANewRunSoTheHistoryStaysShort() throws Exception {
    RecoveryWorkflow workflow = stub();
    WorkflowExecution first =
        WorkflowClient.start(
            workflow::reconcile, new RecoveryRequest(Duration.ofDays(1), 500, null));
    awaitCalls(3);
    client.newWorkflowStub(RecoveryWorkflow.class, RecoveryWorkflow.WORKFLOW_ID).reconcileNow();
    awaitCalls(6);
    assertThat(pages.asked).hasSize(6);

    var history = client.fetchHistory(RecoveryWorkflow.WORKFLOW_ID, first.getRunId());
    assertThat(history.getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    assertThat(history.getEvents()).hasSizeLessThan(40);
    if (Boolean.getBoolean("recordHistories")) {
      Files.writeString(HISTORY, history.toJson(true));
    }
  }

  /** A change that would break the running recovery workflow fails here. */
  @Test
  void theRecordedRoundReplaysOnTheCurrentCode() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(Files.readString(HISTORY), RecoveryWorkflowImpl.class);
  }
}
