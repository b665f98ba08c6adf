package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker process per task queue, as the Helm chart deploys them (ATTACHMENTS_WORKER_ROLES): one
 * serving the main and media queues without a scanner, one serving the scan queue beside clamd.
 * Files go through, each step on the process that serves its queue.
 */
class WorkerPerQueueEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");

  private static EmbeddedStack stack;
  private static Path data;
  private static URI scanWorker;
  private static AttachmentsClient client;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("attachments-roles");
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                ACME.entry(),
                Map.of("ATTACHMENTS_WORKER_ROLES", "main,media")));
    scanWorker = stack.startWorker("scan-worker", Map.of("ATTACHMENTS_WORKER_ROLES", "scan"));
    client = new AttachmentsClient(stack.apiUrl(), ACME.key());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void eachStepRunsOnTheWorkerThatServesItsQueue() throws Exception {
    byte[] png = TestFiles.png(90, 60);
    JsonNode created = client.create("split.png", "image/png", png.length);
    String id = created.get("id").asText();
    assertThat(client.upload(created, png)).isEqualTo(200);
    client.complete(id);
    assertThat(client.awaitStatus(id, FINAL, Duration.ofSeconds(90)).get("status").asText())
        .isEqualTo("RELEASED");
    assertThat(
            client.awaitPreview(id, Duration.ofSeconds(90)).get("preview").get("status").asText())
        .isEqualTo("READY");

    Scrape scans = Scrape.of(scanWorker.resolve("/prometheus"));
    Scrape main = Scrape.of(stack.workerMetricsUrl());
    assertThat(scans.sum("attachments_scan_verdicts_total", "verdict", "CLEAN")).isEqualTo(1);
    assertThat(main.has("attachments_scan_verdicts_total")).as("no scanner here").isFalse();
    assertThat(main.sum("attachments_finished_total", "status", "RELEASED")).isEqualTo(1);
    assertThat(main.sum("attachments_previews_total", "outcome", "READY")).isEqualTo(1);
    assertThat(scans.has("attachments_finished_total")).as("no publisher there").isFalse();
    assertThat(
            scans.sum(
                "temporal_activity_execution_latency_seconds_count", "activity_type", "ScanHeld"))
        .isEqualTo(1);
    assertThat(
            main.sum(
                "temporal_activity_execution_latency_seconds_count", "activity_type", "ScanHeld"))
        .isZero();
    assertThat(Files.readString(data.resolve("logs").resolve("scan-worker.log")))
        .contains("scanned: CLEAN");

    HttpResponse<String> mainReady = readiness(stack.workerManagementUrl());
    assertThat(mainReady.statusCode()).isEqualTo(200);
    assertThat(mainReady.body()).contains("\"temporal\"").doesNotContain("\"scanner\"");
    HttpResponse<String> scanReady = readiness(scanWorker);
    assertThat(scanReady.statusCode()).isEqualTo(200);
    assertThat(scanReady.body()).contains("\"scanner\":{\"status\":\"UP\"");
  }

  private static HttpResponse<String> readiness(URI management) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(management.resolve("/health/readiness"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
