package dev.attachments.worker;

import dev.attachments.clamd.ClamdScanner;
import dev.attachments.metadata.ScannerReports;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Asks clamd every minute whether scans could give verdicts (reachable, configured, signatures
 * fresh enough) and reports it where the API's health reads it; logs each change. Scans check the
 * same before each file, so this only tells operators what files are waiting for.
 */
public class ScannerMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(ScannerMonitor.class);

  private final ClamdScanner scanner;
  private final ScannerReports reports;

  /** The same name Temporal gives this worker: pid@host. */
  private final String worker = ManagementFactory.getRuntimeMXBean().getName();

  private String lastProblem;

  public ScannerMonitor(ClamdScanner scanner, ScannerReports reports) {
    this.scanner = scanner;
    this.reports = reports;
  }

  @Scheduled(initialDelay = 0, fixedDelayString = "${attachments.scanner-report-every:60s}")
  public void report() {
    ClamdScanner.Readiness readiness = scanner.readiness();
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
