package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, an upload is one trace, whose id is the attachment's: the
 * API's create and complete (their workflow start and signal), the workflow's activities on the
 * worker and the S3 and PostgreSQL calls they make, exported over OTLP to a receiver in this test.
 */
class TracingEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");

  private static OtlpReceiver receiver;
  private static EmbeddedStack stack;
  private static AttachmentsClient client;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                Files.createTempDirectory("attachments-tracing"),
                FreePort.pick(),
                ACME.entry(),
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    receiver.endpoint().toString(),
                    // export within a fraction of a second, not the default 5 s
                    "OTEL_BSP_SCHEDULE_DELAY",
                    "200")));
    client = new AttachmentsClient(stack.apiUrl(), ACME.key());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void anUploadIsOneTraceFromTheCreateAndTheCompleteThroughTheWorkflowToTheScan() throws Exception {
    byte[] png = TestFiles.png(50, 40);
    JsonNode created = client.create("traced.png", "image/png", png.length);
    String id = created.get("id").asText();
    assertThat(client.upload(created, png)).isEqualTo(200);
    client.complete(id);
    assertThat(client.awaitStatus(id, FINAL, Duration.ofSeconds(90)).get("status").asText())
        .isEqualTo("RELEASED");

    OtlpReceiver.Span request =
        await(
            s -> s.service().equals("attachments-api") && s.name().equals("POST /v1/attachments"));
    // the attachment's trace: its id is the attachment's
    String trace = id.replace("-", "");
    await(s -> s.traceId().equals(trace) && s.name().equals("create attachment"));
    await(s -> s.traceId().equals(trace) && s.name().equals("complete attachment"));
    List<OtlpReceiver.Span> scan =
        awaitAll(
            s ->
                s.traceId().equals(trace)
                    && s.service().equals("attachments-worker")
                    && s.name().equals("RunActivity:ScanHeld"));
    // the release is the last step before the status is published; the workflow's own span ends
    // with the workflow, once the upload URLs have expired and incoming is swept
    awaitAll(s -> s.traceId().equals(trace) && s.name().equals("RunActivity:ReleaseHeld"));
    Thread.sleep(500); // what the release's publication adds
    List<OtlpReceiver.Span> inTrace =
        receiver.spans().stream().filter(s -> s.traceId().equals(trace)).toList();
    assertThat(inTrace)
        .extracting(OtlpReceiver.Span::name)
        .contains(
            "StartWorkflow:AttachmentWorkflow",
            "SignalWithStartWorkflow:AttachmentWorkflow",
            "RunActivity:Hold",
            "RunActivity:ScanHeld",
            "RunActivity:ReleaseHeld",
            "RunActivity:Announce");
    assertThat(inTrace)
        .as("the scan's S3 read, a child of the scan activity")
        .anyMatch(
            s ->
                s.name().startsWith("S3.")
                    && s.service().equals("attachments-worker")
                    && scan.stream().anyMatch(a -> a.spanId().equals(s.parentId())));
    assertThat(receiver.spans())
        .as("the API's statements on PostgreSQL, children of the create request's span")
        .anyMatch(
            s ->
                s.traceId().equals(request.traceId())
                    && s.parentId().equals(request.spanId())
                    && s.name().matches("(?i)^(insert|select|with|update)\\b.*"));
    assertThat(inTrace)
        .as("the worker's publication to PostgreSQL")
        .anyMatch(
            s ->
                s.service().equals("attachments-worker")
                    && s.name().matches("(?i)^(insert|select|with|update)\\b.*"));
  }

  private static OtlpReceiver.Span await(java.util.function.Predicate<OtlpReceiver.Span> wanted)
      throws InterruptedException {
    return awaitAll(wanted).get(0);
  }

  private static List<OtlpReceiver.Span> awaitAll(
      java.util.function.Predicate<OtlpReceiver.Span> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      List<OtlpReceiver.Span> found = receiver.spans().stream().filter(wanted).toList();
      if (!found.isEmpty()) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no such span among "
                + receiver.spans().stream()
                    .map(s -> s.service() + " " + s.name())
                    .distinct()
                    .toList());
      }
      Thread.sleep(200);
    }
  }
}
