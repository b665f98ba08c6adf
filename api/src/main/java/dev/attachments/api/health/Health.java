package dev.attachments.api.health;

import dev.attachments.metadata.MetadataStoreException;
import dev.attachments.metadata.ScannerReports;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness for launchers and load balancers, and whether files get verdicts, from what the workers
 * last reported about their scanners. Needs no key, so it tells why files wait but not which
 * workers, engines or hosts there are: operators read those at {@code GET /v1/ops/scanners}. The
 * API answers UP while scans wait: uploads are still taken, and scanned once the scanner is back.
 */
@Controller
public class Health {
  /** Workers report every minute: one silent for longer is gone, or cannot reach the database. */
  private static final Duration RECENT = Duration.ofMinutes(3);

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);

  private final ScannerReports reports;

  public Health(ScannerReports reports) {
    this.reports = reports;
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

  @Get("/health")
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
