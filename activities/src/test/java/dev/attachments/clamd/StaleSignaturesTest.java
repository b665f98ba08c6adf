package dev.attachments.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attachments.s3.S3Storage;
import dev.attachments.stack.LocalClamd;
import dev.attachments.testing.RealS3;
import dev.attachments.testing.TestSignatures;
import dev.attachments.testing.WorkflowOnRealParts;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import dev.attachments.workflow.AttachmentWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowStub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A clamd whose daily database is older than allowed gives no verdict that counts: the file waits,
 * the reason is on the scan's last failure for operators to read, and once freshclam's new database
 * is loaded the same run goes on. Real clamd (with a dated database), s3proxy and Temporal's test
 * server.
 */
class StaleSignaturesTest {
  private static final Duration MAX_AGE = Duration.ofDays(3);
  private static RealS3 s3;
  private static LocalClamd clamd;
  private static Path database;

  @BeforeAll
  static void startParts() throws Exception {
    s3 = new RealS3();
    Path folder = Files.createTempDirectory("clamd-dated");
    clamd = LocalClamd.start(folder);
    database = folder.resolve("db");
  }

  @AfterAll
  static void stopParts() throws Exception {
    clamd.close();
    s3.close();
  }

  @Test
  void filesWaitWhileTheSignaturesAreOlderThanAllowedAndAreScannedOnceTheyAreFresh()
      throws Exception {
    TestSignatures.installDated(
        database, clamd.host(), clamd.port(), 27000, Instant.now().minus(Duration.ofDays(10)));
    ClamdScanner scanner = WorkflowOnRealParts.scanner(s3, clamd, MAX_AGE);
    try (WorkflowOnRealParts workflow =
        new WorkflowOnRealParts(new S3Storage(s3.client, RealS3.BUCKETS), scanner)) {
      byte[] content = "minutes of the meeting\n".getBytes(StandardCharsets.US_ASCII);
      AttachmentRequest request = workflow.request(content.length, Duration.ofHours(6));
      AttachmentWorkflow run = workflow.start(request);
      s3.put("incoming", request.objectKey(), content, request.contentType());
      run.uploadCompleted();

      workflow.env.sleep(
          Duration.ofMinutes(10)); // Temporal's clock: the scan is tried again and again meanwhile

      PendingActivityInfo scan = pendingScan(workflow, request);
      assertThat(scan.getAttempt()).as("the scan is retried, not decided").isGreaterThan(2);
      assertThat(scan.getLastFailure().getMessage())
          .contains(
              "signature database 27000",
              "older than the 3d allowed",
              "ATTACHMENTS_MAX_SIGNATURE_AGE");
      assertThat(workflow.published.get(workflow.published.size() - 1).status())
          .isEqualTo(AttachmentStatus.PROCESSING);
      assertThat(s3.exists("released", request.objectKey())).isFalse();
      assertThat(scanner.readiness().problem()).contains("older than the 3d allowed");

      TestSignatures.installDated(
          database, clamd.host(), clamd.port(), 27001, Instant.now().minus(Duration.ofHours(5)));
      assertThat(scanner.readiness().problem()).isNull();
      assertThat(scanner.readiness().engine()).contains("/27001/");

      AttachmentState state = WorkflowStub.fromTyped(run).getResult(AttachmentState.class);
      assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
      assertThat(state.scan().engine())
          .as("the verdict names the database it came from")
          .contains("/27001/");
    }
  }

  private static PendingActivityInfo pendingScan(
      WorkflowOnRealParts workflow, AttachmentRequest request) {
    return workflow
        .client
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(workflow.client.getOptions().getNamespace())
                .setExecution(
                    WorkflowExecution.newBuilder()
                        .setWorkflowId(AttachmentRequest.workflowId(request.attachmentId())))
                .build())
        .getPendingActivitiesList()
        .stream()
        .filter(activity -> activity.getActivityType().getName().startsWith("Scan"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no scan is pending"));
  }
}
