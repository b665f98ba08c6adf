package dev.attachments.metadata;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the workers last said about their scanner: written by each worker every minute, read by the
 * API's health.
 */
public class ScannerReports {
  /**
   * Reports older than this are of workers that stopped; they are deleted when another worker
   * reports.
   */
  private static final Duration KEPT = Duration.ofDays(1);

  private final Store store;

  public ScannerReports(DataSource dataSource) {
    this.store = new Store(dataSource);
  }

  /**
   * @param engine clamd's version line, null when it could not be reached
   * @param problem why scans wait, null when they do not
   */
  public record Report(
      String worker,
      String engine,
      Instant signaturesBuiltAt,
      String problem,
      Instant reportedAt) {}

  public void save(Report report) {
    store.read(
        "scanner reports: could not save " + report.worker(),
        handle -> {
          handle
              .createUpdate(
                  "insert into scanner_report (worker, engine, signatures_built_at, problem, reported_at)"
                      + " values (:worker, :engine, :builtAt, :problem, :reportedAt)"
                      + " on conflict (worker) do update set engine = excluded.engine,"
                      + " signatures_built_at = excluded.signatures_built_at,"
                      + " problem = excluded.problem, reported_at = excluded.reported_at")
              .bind("worker", report.worker())
              .bind("engine", report.engine())
              .bind("builtAt", Store.timestamp(report.signaturesBuiltAt()))
              .bind("problem", report.problem())
              .bind("reportedAt", Store.timestamp(report.reportedAt()))
              .execute();
          return handle
              .createUpdate("delete from scanner_report where reported_at < :before")
              .bind("before", Store.timestamp(report.reportedAt().minus(KEPT)))
              .execute();
        });
  }

  /** The reports made since {@code since}, newest first. */
  public List<Report> since(Instant since) {
    return store.read(
        "scanner reports: could not read",
        handle ->
            handle
                .createQuery(
                    "select * from scanner_report where reported_at >= :since"
                        + " order by reported_at desc, worker")
                .bind("since", Store.timestamp(since))
                .map(
                    (row, context) ->
                        new Report(
                            row.getString("worker"),
                            row.getString("engine"),
                            AttachmentRows.instant(row, "signatures_built_at"),
                            row.getString("problem"),
                            row.getTimestamp("reported_at").toInstant()))
                .list());
  }
}
