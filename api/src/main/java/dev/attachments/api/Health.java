package dev.attachments.api;

import dev.attachments.metadata.MetadataStoreException;
import dev.attachments.metadata.ScannerReports;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Liveness for launchers and load balancers, and whether files get verdicts: what the workers last reported
 * about their scanners. Needs no key. The API answers UP while scans wait (uploads are still taken; they are
 * scanned once the scanner is back), and says why they wait.
 */
@Controller("/health")
public class Health {
  /** Workers report every minute: one silent for longer is gone, or cannot reach the database. */
  private static final Duration RECENT = Duration.ofMinutes(3);

  private final ScannerReports reports;

  public Health(ScannerReports reports) {
    this.reports = reports;
  }

  @Serdeable
  public record Status(String status, Scanning scanning) {}

  /**
   * @param status {@code OK} when every worker's scanner gives verdicts, {@code WAITING} when one cannot (files
   *     wait), {@code UNKNOWN} when no worker reported lately
   */
  @Serdeable
  public record Scanning(String status, @Nullable String reason, List<Scanner> scanners) {}

  @Serdeable
  public record Scanner(
      String worker, @Nullable String engine, @Nullable Instant signaturesBuiltAt, @Nullable String problem,
      Instant reportedAt) {}

  @Get
  public Status health() {
    return new Status("UP", scanning());
  }

  private Scanning scanning() {
    List<ScannerReports.Report> recent;
    try {
      recent = reports.since(Instant.now().minus(RECENT));
    } catch (MetadataStoreException unreadable) {
      return new Scanning("UNKNOWN", "the metadata store cannot be read: " + unreadable.getMessage(), List.of());
    }
    List<Scanner> scanners =
        recent.stream()
            .map(r -> new Scanner(r.worker(), r.engine(), r.signaturesBuiltAt(), r.problem(), r.reportedAt()))
            .toList();
    if (scanners.isEmpty()) {
      return new Scanning("UNKNOWN", "no worker reported on its scanner in the last " + RECENT.toMinutes()
          + " minutes: is a worker running?", scanners);
    }
    return scanners.stream()
        .filter(s -> s.problem() != null)
        .findFirst()
        .map(s -> new Scanning("WAITING", "scans wait on " + s.worker() + ": " + s.problem(), scanners))
        .orElse(new Scanning("OK", null, scanners));
  }
}
