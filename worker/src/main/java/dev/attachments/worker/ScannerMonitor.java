package dev.attachments.worker;

import dev.attachments.clamd.ClamdScanner;
import dev.attachments.metadata.ScannerReports;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Asks clamd every 15 s whether scans could give verdicts (reachable, configured, signatures fresh
 * enough) and reports it where the API's health reads it, to the worker's readiness and as the
 * gauges {@code attachments_scanner_ready} and {@code attachments_scanner_signatures_age_seconds};
 * logs each change. Scans check the same before each file, so this only tells operators what files
 * are waiting for.
 */
public class ScannerMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(ScannerMonitor.class);

  private final ClamdScanner scanner;
  private final ScannerReports reports;

  /** The same name Temporal gives this worker: pid@host. */
  private final String worker = ManagementFactory.getRuntimeMXBean().getName();

  private String lastProblem;

  /** Null until clamd was first asked. */
  private volatile ClamdScanner.Readiness last;

  public ScannerMonitor(ClamdScanner scanner, ScannerReports reports, MeterRegistry meters) {
    this.scanner = scanner;
    this.reports = reports;
    Gauge.builder("attachments.scanner.ready", this, m -> m.ready() ? 1 : 0)
        .description("1 while clamd would give verdicts (reachable, configured, signatures fresh)")
        .register(meters);
    Gauge.builder("attachments.scanner.signatures.age", this, ScannerMonitor::signaturesAgeSeconds)
        .description("how long ago clamd's signature database was built; NaN when unknown")
        .baseUnit("seconds")
        .register(meters);
  }

  /** What clamd answered last, or null before it was first asked. */
  public ClamdScanner.Readiness last() {
    return last;
  }

  private boolean ready() {
    ClamdScanner.Readiness readiness = last;
    return readiness != null && readiness.problem() == null;
  }

  private double signaturesAgeSeconds() {
    ClamdScanner.Readiness readiness = last;
    if (readiness == null || readiness.signaturesBuiltAt() == null) {
      return Double.NaN;
    }
    return Duration.between(readiness.signaturesBuiltAt(), Instant.now()).toSeconds();
  }

  @Scheduled(initialDelay = 0, fixedDelayString = "${attachments.scanner-report-every:15s}")
  public void report() {
    ClamdScanner.Readiness readiness = scanner.readiness();
    last = readiness;
    if (!Objects.equals(readiness.problem(), lastProblem)) {
      if (readiness.problem() == null) {
        LOG.info("the scanner gives verdicts again ({})", readiness.engine());
      } else {
        LOG.warn("scans wait: {}", readiness.problem());
      }
      lastProblem = readiness.problem();
    }
    try {
      reports.save(
          new ScannerReports.Report(
              worker,
              readiness.engine(),
              readiness.signaturesBuiltAt(),
              readiness.problem(),
              Instant.now()));
    } catch (RuntimeException unsaved) {
      LOG.warn("could not report the scanner's state: {}", unsaved.getMessage());
    }
  }
}
