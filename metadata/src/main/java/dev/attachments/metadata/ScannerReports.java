package dev.attachments.metadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

  private final DataSource dataSource;

  public ScannerReports(DataSource dataSource) {
    this.dataSource = dataSource;
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
    try (Connection connection = dataSource.getConnection();
        PreparedStatement upsert =
            connection.prepareStatement(
                "insert into scanner_report (worker, engine, signatures_built_at, problem, reported_at)"
                    + " values (?, ?, ?, ?, ?) on conflict (worker) do update set engine = excluded.engine,"
                    + " signatures_built_at = excluded.signatures_built_at, problem = excluded.problem,"
                    + " reported_at = excluded.reported_at");
        PreparedStatement forget =
            connection.prepareStatement("delete from scanner_report where reported_at < ?")) {
      upsert.setString(1, report.worker());
      upsert.setString(2, report.engine());
      upsert.setTimestamp(
          3,
          report.signaturesBuiltAt() == null ? null : Timestamp.from(report.signaturesBuiltAt()));
      upsert.setString(4, report.problem());
      upsert.setTimestamp(5, Timestamp.from(report.reportedAt()));
      upsert.executeUpdate();
      forget.setTimestamp(1, Timestamp.from(report.reportedAt().minus(KEPT)));
      forget.executeUpdate();
    } catch (SQLException e) {
      throw new MetadataStoreException("scanner reports: " + e.getMessage(), e);
    }
  }

  /** The reports made since {@code since}, newest first. */
  public List<Report> since(Instant since) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select * from scanner_report where reported_at >= ? order by reported_at desc, worker")) {
      select.setTimestamp(1, Timestamp.from(since));
      List<Report> reports = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          Timestamp built = row.getTimestamp("signatures_built_at");
          reports.add(
              new Report(
                  row.getString("worker"),
                  row.getString("engine"),
                  built == null ? null : built.toInstant(),
                  row.getString("problem"),
                  row.getTimestamp("reported_at").toInstant()));
        }
      }
      return reports;
    } catch (SQLException e) {
      throw new MetadataStoreException("scanner reports: " + e.getMessage(), e);
    }
  }
}
