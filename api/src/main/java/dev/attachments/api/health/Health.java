package dev.attachments.api.health;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Application;
import dev.attachments.api.Problem;
import dev.attachments.metadata.MetadataStoreException;
import dev.attachments.metadata.ScannerReports;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Liveness and readiness for launchers, load balancers and Kubernetes probes, and whether files get
 * verdicts, from what the workers last reported about their scanners. Needs no key, so it tells why
 * files wait but not which workers, engines or hosts there are: operators read those at {@code GET
 * /v1/ops/scanners}. The API answers UP while scans wait: uploads are still taken, and scanned once
 * the scanner is back.
 */
@Controller
@Tag(name = "health")
public class Health {
  /** Workers report every minute: one silent for longer is gone, or cannot reach the database. */
  private static final Duration RECENT = Duration.ofMinutes(3);

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);

  /** How long each dependency has to answer a readiness check. */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final ScannerReports reports;
  private final DataSource database;
  private final WorkflowServiceStubs temporal;
  private final S3Client s3;
  private final ApiSettings.Buckets buckets;

  public Health(
      ScannerReports reports,
      DataSource database,
      WorkflowServiceStubs temporal,
      S3Client s3,
      ApiSettings.Buckets buckets) {
    this.reports = reports;
    this.database = database;
    this.temporal = temporal;
    this.s3 = s3;
    this.buckets = buckets;
  }

  /**
   * @param checks each dependency's state: {@code UP}, or {@code DOWN: <why>}
   */
  @Serdeable
  public record Readiness(String status, Map<String, String> checks) {}

  /** The process answers: restart it when this does not. Depends on nothing else. */
  @Get("/health/liveness")
  @Operation(operationId = "liveness")
  @SecurityRequirements
  public Alive liveness() {
    return new Alive("UP");
  }

  @Serdeable
  public record Alive(String status) {}

  /**
   * Whether this API can serve calls now: PostgreSQL, Temporal and S3 each answer within {@link
   * #CHECK_TIMEOUT}, checked at once. 503 when one does not, so that a load balancer sends calls
   * elsewhere; clamd is the workers' (their waiting files show in {@code /health}).
   */
  @Get("/health/readiness")
  @Operation(operationId = "readiness")
  @SecurityRequirements
  @ApiResponse(
      responseCode = "200",
      description = "Every dependency answers",
      content = @Content(schema = @Schema(implementation = Readiness.class)))
  @ApiResponse(
      responseCode = "503",
      description = "One does not: its check says DOWN and why",
      content = @Content(schema = @Schema(implementation = Readiness.class)))
  public HttpResponse<Readiness> readiness() {
    Map<String, CompletableFuture<String>> checks = new LinkedHashMap<>();
    checks.put("database", check(this::database));
    checks.put("temporal", check(this::temporal));
    checks.put("s3", check(this::s3));
    Map<String, String> states = new LinkedHashMap<>();
    checks.forEach(
        (name, check) -> {
          try {
            states.put(name, check.get(CHECK_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS));
          } catch (TimeoutException e) {
            states.put(name, "DOWN: no answer within " + CHECK_TIMEOUT.toSeconds() + " s");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            states.put(name, "DOWN: interrupted");
          } catch (ExecutionException e) {
            states.put(name, "DOWN: " + e.getCause().getClass().getSimpleName());
          }
        });
    boolean up = states.values().stream().allMatch("UP"::equals);
    Readiness readiness = new Readiness(up ? "UP" : "DOWN", states);
    if (!up) {
      LOG.warn("not ready: {}", states);
    }
    return up
        ? HttpResponse.ok(readiness)
        : HttpResponse.<Readiness>status(HttpStatus.SERVICE_UNAVAILABLE).body(readiness);
  }

  private interface Check {
    void run() throws Exception;
  }

  /** Checks block on their dependency: threads of their own, not the common pool's one or two. */
  private static final java.util.concurrent.ExecutorService CHECKS =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "readiness-check");
            thread.setDaemon(true);
            return thread;
          });

  private static CompletableFuture<String> check(Check check) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            check.run();
            return "UP";
          } catch (Exception e) {
            return "DOWN: " + e.getClass().getSimpleName();
          }
        },
        CHECKS);
  }

  private void database() throws Exception {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) CHECK_TIMEOUT.toSeconds());
      statement.execute("select 1");
    }
  }

  private void temporal() {
    temporal
        .blockingStub()
        .withDeadlineAfter(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
  }

  private void s3() {
    s3.headBucket(
        b ->
            b.bucket(buckets.incoming())
                .overrideConfiguration(
                    o -> o.apiCallTimeout(CHECK_TIMEOUT).apiCallAttemptTimeout(CHECK_TIMEOUT)));
  }

  @Serdeable
  public record Status(String status, Scanning scanning) {}

  /**
   * @param status {@code OK} when every worker's scanner gives verdicts, {@code WAITING} when one
   *     cannot (files wait), {@code UNKNOWN} when no worker reported lately
   */
  @Serdeable
  public record Scanning(String status, @Nullable String reason) {}

  /** One worker's last report, for operators. */
  @Serdeable
  public record Scanner(
      String worker,
      @Nullable String engine,
      @Nullable Instant signaturesBuiltAt,
      @Nullable String problem,
      Instant reportedAt) {}

  @Serdeable
  public record Scanners(List<Scanner> scanners) {}

  /** UP while the process serves, and whether the workers' scanners give verdicts. */
  @Get("/health")
  @Operation(operationId = "health")
  @SecurityRequirements
  public Status health() {
    List<Scanner> scanners;
    try {
      scanners = recent();
    } catch (MetadataStoreException unreadable) {
      LOG.warn("health: {}", unreadable.getMessage());
      return new Status("UP", new Scanning("UNKNOWN", "the metadata store cannot be read"));
    }
    if (scanners.isEmpty()) {
      return new Status(
          "UP",
          new Scanning(
              "UNKNOWN",
              "no worker reported on its scanner in the last "
                  + RECENT.toMinutes()
                  + " minutes: is a worker running?"));
    }
    return new Status(
        "UP",
        scanners.stream()
            .filter(s -> s.problem() != null)
            .findFirst()
            .map(s -> new Scanning("WAITING", "scans wait: " + s.problem()))
            .orElse(new Scanning("OK", null)));
  }

  /**
   * Each worker's last report within the last minutes: its clamd, signatures and problem. Operators
   * only.
   */
  @Get("/v1/ops/scanners")
  @Operation(operationId = "scanners")
  @Tag(name = "operators")
  @SecurityRequirement(name = Application.OPS_KEY)
  @ApiResponse(
      responseCode = "200",
      description = "The scanners",
      content = @Content(schema = @Schema(implementation = Scanners.class)))
  @ApiResponse(
      responseCode = "4XX",
      description = "A client mistake, said in an RFC 9457 problem",
      content =
          @Content(
              mediaType = Problem.CONTENT_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Scanners scanners() {
    return new Scanners(recent());
  }

  private List<Scanner> recent() {
    return reports.since(Instant.now().minus(RECENT)).stream()
        .map(
            r ->
                new Scanner(
                    r.worker(), r.engine(), r.signaturesBuiltAt(), r.problem(), r.reportedAt()))
        .toList();
  }
}
