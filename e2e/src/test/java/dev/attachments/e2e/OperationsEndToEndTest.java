package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.attachments.access.AccessKeys;
import dev.attachments.recovery.RecoveryWorkflow;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.stack.LocalPostgres;
import dev.attachments.testing.TestFiles;
import dev.attachments.workflow.AttachmentRequest;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What operators do, on the running stack (the Temporal dev server in CI): reprocess a FAILED
 * attachment from the step that failed, release a quarantined false positive, and find lost runs
 * again when the API restarts; a run an operator terminated stays stopped, FAILED.
 */
class OperationsEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final Duration PROCESSING = Duration.ofSeconds(90);
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AccessKeys.Minted OPERATOR = AccessKeys.mint("alice");
  private static final String OPS_KEY = OPERATOR.key();

  private static EmbeddedStack stack;
  private static Path data;
  private static HttpServer receiver;
  private static final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private static AttachmentsClient acme;
  private static AttachmentsClient ops;
  private static S3Client s3;
  private static WorkflowServiceStubs temporal;

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hooks",
        exchange -> {
          events.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data = Files.createTempDirectory("attachments-ops"),
                FreePort.pick(),
                ACME.entry(),
                // steps give up after seconds, not the default hour, so that a fault ends FAILED
                // within the test
                Map.of(
                    "ATTACHMENTS_OPS_KEYS", OPERATOR.entry(), "ATTACHMENTS_GIVE_UP_AFTER", "3s")));
    acme = new AttachmentsClient(stack.apiUrl(), ACME.key());
    ops = new AttachmentsClient(stack.apiUrl(), OPS_KEY);
    s3 = StackS3.client(stack);
    temporal =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalTarget()).build());
    String hook =
        JSON.createObjectNode()
            .put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks")
            .set(
                "events",
                JSON.valueToTree(
                    List.of(
                        "attachment.uploaded",
                        "attachment.released",
                        "attachment.quarantined",
                        "attachment.failed")))
            .toString();
    assertThat(acme.call("POST", "/v1/webhooks", hook).status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (temporal != null) {
      temporal.shutdown();
    }
    if (s3 != null) {
      s3.close();
    }
    if (stack != null) {
      stack.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void failedAttachmentIsReprocessedFromTheStepThatFailedWithoutScanningAgain() throws Exception {
    byte[] png = TestFiles.png(200, 100);
    JsonNode created = acme.create("chart.png", "image/png", png.length);
    String id = created.get("id").asText();
    // the fault: the metadata store refuses to record this attachment's release, so the workflow
    // gives up
    sql(
        "create function refuse_release() returns trigger language plpgsql as $$ begin"
            + " raise exception 'metadata store refuses writes (test fault)'; end $$");
    sql(
        "create trigger refuse_release before update on attachment for each row"
            + " when (new.id = '"
            + id
            + "' and new.status = 'RELEASED') execute function refuse_release()");
    assertThat(acme.upload(created, png)).isEqualTo(200);
    acme.complete(id);

    JsonNode failed = acme.awaitStatus(id, FINAL, PROCESSING);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED");
    assertThat(failed.get("reason").asText()).contains("refuses writes");
    assertThat(failed.get("scan").get("verdict").asText()).isEqualTo("CLEAN");
    assertThat(stored("attachments-released", "acme/" + id))
        .as("the release step itself had succeeded")
        .isTrue();
    assertThat(acme.call("GET", "/v1/attachments/" + id + "/download", null).status())
        .isEqualTo(409);

    sql("drop trigger refuse_release on attachment");
    sql("drop function refuse_release()");
    AttachmentsClient.Answer reprocess =
        ops.call("POST", "/v1/ops/attachments/" + id + "/reprocess", null);
    assertThat(reprocess.status()).as(reprocess.body().toString()).isEqualTo(202);

    JsonNode released = acme.awaitStatus(id, FINAL, PROCESSING);
    assertThat(released.get("status").asText()).isEqualTo("RELEASED");
    assertThat(released.get("audit").findValuesAsText("actor")).containsExactly("alice");
    AttachmentsClient.Answer download =
        acme.call("GET", "/v1/attachments/" + id + "/download", null);
    assertThat(acme.fetch(download.body().get("url").asText()).body()).isEqualTo(png);

    List<String> reprocessedSteps = activities(id);
    assertThat(reprocessedSteps)
        .as("the reprocess run's steps")
        .doesNotContain("Scan", "ScanHeld", "Verify", "IsUploaded")
        .contains("ReleaseHeld", "Announce");
    assertThat(types(awaitEvents(id, 3)))
        .containsExactly("attachment.uploaded", "attachment.failed", "attachment.released");
  }

  @Test
  void operatorReleasesAFalsePositiveThroughItsWorkflowAndTheOwnerIsTold() throws Exception {
    byte[] eicar = TestFiles.eicar();
    JsonNode created = acme.create("vendor-test-file.txt", "text/plain", eicar.length);
    String id = created.get("id").asText();
    assertThat(acme.upload(created, eicar)).isEqualTo(200);
    acme.complete(id);
    assertThat(acme.awaitStatus(id, FINAL, PROCESSING).get("status").asText())
        .isEqualTo("QUARANTINED");

    AttachmentsClient.Answer refused =
        ops.call("POST", "/v1/ops/attachments/" + id + "/release", "{}");
    assertThat(refused.status()).isEqualTo(400);
    AttachmentsClient.Answer release =
        ops.call(
            "POST",
            "/v1/ops/attachments/" + id + "/release",
            "{\"reason\":\"the vendor's published test file\"}");
    assertThat(release.status()).as(release.body().toString()).isEqualTo(202);

    JsonNode released = acme.awaitStatus(id, FINAL, PROCESSING);
    assertThat(released.get("status").asText()).isEqualTo("RELEASED");
    assertThat(released.get("reason").asText())
        .isEqualTo("released by alice: the vendor's published test file");
    assertThat(released.get("scan").get("verdict").asText())
        .as("the verdict stays on record")
        .isEqualTo("INFECTED");
    assertThat(released.get("audit").get(0).get("action").asText()).isEqualTo("release");
    AttachmentsClient.Answer download =
        acme.call("GET", "/v1/attachments/" + id + "/download", null);
    assertThat(acme.fetch(download.body().get("url").asText()).body()).isEqualTo(eicar);
    assertThat(stored("attachments-quarantine", "acme/" + id)).isFalse();
    assertThat(activities(id)).contains("ReleaseFromQuarantine").doesNotContain("Scan");
    assertThat(types(awaitEvents(id, 3)))
        .containsExactly("attachment.uploaded", "attachment.quarantined", "attachment.released");
  }

  /**
   * A run an operator terminated by hand is not started again behind their back: the recovery round
   * (asked for by the API as it starts) marks the attachment FAILED with the termination's reason,
   * and the operator's reprocess then carries it through to RELEASED.
   */
  @Test
  void aRunTerminatedByHandIsMarkedFailedNotResurrectedAndReprocessingReleasesIt()
      throws Exception {
    byte[] png = TestFiles.png(64, 64);
    JsonNode created = acme.create("stopped.png", "image/png", png.length);
    String id = created.get("id").asText();
    assertThat(acme.upload(created, png)).isEqualTo(200);
    WorkflowClient.newInstance(temporal)
        .newUntypedWorkflowStub(AttachmentRequest.workflowId(id))
        .terminate("stopped on purpose");

    // a round now, through the recovery workflow (as its timer would in 5 minutes)
    WorkflowClient.newInstance(temporal)
        .newWorkflowStub(RecoveryWorkflow.class, RecoveryWorkflow.WORKFLOW_ID)
        .reconcileNow();
    JsonNode failed = acme.awaitStatus(id, FINAL, PROCESSING);
    assertThat(failed.get("status").asText()).isEqualTo("FAILED");
    assertThat(failed.get("reason").asText()).contains("terminated by hand (stopped on purpose)");

    AttachmentsClient.Answer reprocess =
        ops.call("POST", "/v1/ops/attachments/" + id + "/reprocess", null);
    assertThat(reprocess.status()).as(reprocess.body().toString()).isEqualTo(202);
    assertThat(
            acme.awaitStatus(id, Set.of("RELEASED", "QUARANTINED", "REJECTED"), PROCESSING)
                .get("status")
                .asText())
        .isEqualTo("RELEASED");
  }

  /**
   * What an operator's Prometheus sees of one upload: the API's requests by route and status and
   * its Temporal client calls; the worker's verdict, scan seconds and bytes (histograms), release
   * latency, final status, preview, webhook delivery and the Temporal SDK's activity metrics.
   */
  @Test
  void oneUploadMovesTheCountersHistogramsAndSdkMetricsOfBothApps() throws Exception {
    Scrape apiBefore = Scrape.of(stack.apiMetricsUrl());
    Scrape workerBefore = Scrape.of(stack.workerMetricsUrl());
    byte[] png = TestFiles.png(120, 80);
    JsonNode created = acme.create("metered.png", "image/png", png.length);
    String id = created.get("id").asText();
    assertThat(acme.upload(created, png)).isEqualTo(200);
    acme.complete(id);
    assertThat(acme.awaitStatus(id, FINAL, PROCESSING).get("status").asText())
        .isEqualTo("RELEASED");
    assertThat(acme.awaitPreview(id, PROCESSING).get("preview").get("status").asText())
        .isEqualTo("READY");
    assertThat(types(awaitEvents(id, 2))).contains("attachment.released");

    // the Temporal SDK hands its figures to the meter registry every 10 s
    Scrape api =
        awaitScrape(
            stack.apiMetricsUrl(),
            now ->
                moved(
                        apiBefore,
                        now,
                        "temporal_request_total",
                        "operation",
                        "StartWorkflowExecution")
                    >= 1);
    Scrape worker =
        awaitScrape(
            stack.workerMetricsUrl(),
            now ->
                moved(
                        workerBefore,
                        now,
                        "temporal_activity_execution_latency_seconds_count",
                        "activity_type",
                        "ScanHeld")
                    >= 1);
    assertThat(
            moved(
                apiBefore,
                api,
                "http_server_requests_seconds_count",
                "uri",
                "/v1/attachments",
                "status",
                "201"))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            moved(
                apiBefore,
                api,
                "http_server_requests_seconds_count",
                "uri",
                "/v1/attachments/{id}/complete",
                "status",
                "202"))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            moved(apiBefore, api, "temporal_request_total", "operation", "StartWorkflowExecution"))
        .as("the SDK's client metrics on the API")
        .isGreaterThanOrEqualTo(1);

    assertThat(moved(workerBefore, worker, "attachments_scan_verdicts_total", "verdict", "CLEAN"))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            moved(
                workerBefore,
                worker,
                "attachments_scan_duration_seconds_count",
                "verdict",
                "CLEAN"))
        .isGreaterThanOrEqualTo(1);
    assertThat(moved(workerBefore, worker, "attachments_scan_size_bytes_sum"))
        .isGreaterThanOrEqualTo(png.length);
    assertThat(moved(workerBefore, worker, "attachments_scan_size_bytes_bucket", "le", "65536.0"))
        .as("a small file lands in the smallest bucket")
        .isGreaterThanOrEqualTo(1);
    assertThat(moved(workerBefore, worker, "attachments_release_latency_seconds_count"))
        .isGreaterThanOrEqualTo(1);
    assertThat(moved(workerBefore, worker, "attachments_finished_total", "status", "RELEASED"))
        .isGreaterThanOrEqualTo(1);
    assertThat(moved(workerBefore, worker, "attachments_previews_total", "outcome", "READY"))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            moved(
                workerBefore,
                worker,
                "attachments_webhook_deliveries_total",
                "outcome",
                "delivered"))
        .isGreaterThanOrEqualTo(2);
    assertThat(
            moved(
                workerBefore,
                worker,
                "temporal_activity_execution_latency_seconds_count",
                "activity_type",
                "ScanHeld"))
        .as("the SDK's worker metrics")
        .isGreaterThanOrEqualTo(1);
    assertThat(worker.sum("attachments_scanner_ready")).isEqualTo(1);
    assertThat(namedIn(Path.of("monitoring/alerts.yml"), Path.of("monitoring/dashboard.json")))
        .as("every series the alerts and the dashboard ask for is exported")
        .isNotEmpty()
        .allMatch(name -> api.has(name) || worker.has(name), "exported by the api or the worker");
    assertThat(worker.has("attachments_processing_oldest_age_seconds")).isTrue();
    assertThat(worker.has("attachments_webhook_undelivered_oldest_age_seconds")).isTrue();
  }

  /** The series names the monitoring files use: ours, the SDK's and the HTTP servers'. */
  private static Set<String> namedIn(Path... files) throws java.io.IOException {
    java.util.regex.Pattern series =
        java.util.regex.Pattern.compile("\\b(?:attachments|temporal|http_server)_[a-z_]+\\b");
    Set<String> names = new java.util.TreeSet<>();
    for (Path file : files) {
      java.util.regex.Matcher found = series.matcher(Files.readString(file));
      while (found.find()) {
        names.add(found.group());
      }
    }
    return names;
  }

  /**
   * Both apps log one JSON object a line. The API's line about a refused request has the request id
   * the client was given and the attachment's id; the worker's lines about an attachment have its
   * id, its workflow's and the activity's (the Temporal SDK's MDC).
   */
  @Test
  void logLinesAreJsonWithTheRequestAttachmentAndWorkflowIds() throws Exception {
    byte[] png = TestFiles.png(30, 30);
    JsonNode created = acme.create("logged.png", "image/png", png.length);
    String id = created.get("id").asText();
    AttachmentsClient.Answer early = acme.call("GET", "/v1/attachments/" + id + "/download", null);
    assertThat(early.status()).isEqualTo(409);
    String requestId = early.body().get("requestId").asText();
    assertThat(acme.upload(created, png)).isEqualTo(200);
    acme.complete(id);
    assertThat(acme.awaitStatus(id, FINAL, PROCESSING).get("status").asText())
        .isEqualTo("RELEASED");

    JsonNode refused =
        awaitLogLine("api.log", line -> requestId.equals(line.path("requestId").asText()));
    assertThat(refused.get("attachmentId").asText()).isEqualTo(id);
    assertThat(refused.get("level").asText()).isEqualTo("INFO");
    assertThat(refused.get("message").asText()).contains("409");
    JsonNode scanned =
        awaitLogLine(
            "worker.log",
            line ->
                id.equals(line.path("attachmentId").asText())
                    && line.path("message").asText().contains("scanned: CLEAN"));
    assertThat(scanned.get("WorkflowId").asText()).isEqualTo(AttachmentRequest.workflowId(id));
    assertThat(scanned.get("ActivityType").asText()).isEqualTo("ScanHeld");
    assertThat(scanned.get("time").asText()).isNotBlank();
  }

  private static JsonNode awaitLogLine(String log, java.util.function.Predicate<JsonNode> wanted)
      throws Exception {
    Path file = data.resolve("logs").resolve(log);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      for (String line : Files.readAllLines(file)) {
        if (!line.startsWith("{")) {
          continue; // what the JVM itself prints
        }
        JsonNode parsed = JSON.readTree(line);
        if (wanted.test(parsed)) {
          return parsed;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no such line in " + file);
      }
      Thread.sleep(250);
    }
  }

  /** A scrape that shows it, or the last one after 25 s. */
  private static Scrape awaitScrape(URI metrics, java.util.function.Predicate<Scrape> shows)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
    Scrape scrape = Scrape.of(metrics);
    while (!shows.test(scrape) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      scrape = Scrape.of(metrics);
    }
    return scrape;
  }

  private static double moved(Scrape before, Scrape after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  /**
   * A clamd that hangs (SIGSTOP: it takes connections and answers nothing) makes the worker not
   * ready within seconds, naming the scanner; once it answers again the worker is ready again.
   * Liveness stays up throughout: restarting the worker would not help.
   */
  @Test
  void workerIsNotReadyWhileClamdHangsAndReadyOnceItAnswers() throws Exception {
    URI readiness = stack.workerManagementUrl().resolve("/health/readiness");
    URI liveness = stack.workerManagementUrl().resolve("/health/liveness");
    assertThat(health(readiness).statusCode()).isEqualTo(200);
    stack.clamd().freeze();
    try {
      HttpResponse<String> down = awaitHealth(readiness, 503, Duration.ofSeconds(45));
      assertThat(down.body()).contains("\"scanner\":{\"status\":\"DOWN\"");
      assertThat(health(liveness).statusCode()).isEqualTo(200);
    } finally {
      stack.clamd().thaw();
    }
    assertThat(awaitHealth(readiness, 200, Duration.ofSeconds(45)).body())
        .contains("\"scanner\":{\"status\":\"UP\"");
  }

  private static HttpResponse<String> health(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> awaitHealth(URI uri, int status, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> response = health(uri);
    while (response.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(500);
      response = health(uri);
    }
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return response;
  }

  private static boolean stored(String bucket, String key) {
    return StackS3.stored(s3, bucket, key);
  }

  private static void sql(String statement) throws Exception {
    try (Connection connection =
            DriverManager.getConnection(
                stack.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD);
        Statement sql = connection.createStatement()) {
      sql.execute(statement);
    }
  }

  /**
   * The activity types the attachment's latest run scheduled or ran locally, in order, from the
   * server's history.
   */
  private static List<String> activities(String id) {
    return WorkflowClient.newInstance(temporal)
        .fetchHistory(AttachmentRequest.workflowId(id))
        .getEvents()
        .stream()
        .map(OperationsEndToEndTest::activityType)
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** The activity an event schedules, or records as run locally; null for any other event. */
  private static String activityType(HistoryEvent event) {
    if (event.hasActivityTaskScheduledEventAttributes()) {
      return event.getActivityTaskScheduledEventAttributes().getActivityType().getName();
    }
    if (event.hasMarkerRecordedEventAttributes()
        && event.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity")) {
      return io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE.fromPayloads(
          0,
          java.util.Optional.of(event.getMarkerRecordedEventAttributes().getDetailsOrThrow("type")),
          String.class,
          String.class);
    }
    return null;
  }

  private static List<JsonNode> awaitEvents(String id, int count) throws InterruptedException {
    long deadline = System.nanoTime() + PROCESSING.toNanos();
    while (of(id).size() < count && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1000); // and nothing more arrives
    return of(id);
  }

  private static List<JsonNode> of(String id) {
    return events.stream().filter(e -> e.get("attachment").get("id").asText().equals(id)).toList();
  }

  private static List<String> types(List<JsonNode> received) {
    assertThat(received).extracting(e -> e.get("id").asText()).doesNotHaveDuplicates();
    return received.stream().map(e -> e.get("type").asText()).toList();
  }
}
