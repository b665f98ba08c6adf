package dev.attachments.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScannerReportsTest {
  private static EmbeddedPostgres postgres;
  private static ScannerReports reports;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    Flyway.configure().dataSource(postgres.getPostgresDatabase()).load().migrate();
    reports = new ScannerReports(postgres.getPostgresDatabase());
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Test
  void eachWorkerHasItsLatestReportAndStoppedWorkersAreForgotten() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant built = now.minus(Duration.ofDays(9));
    reports.save(
        new ScannerReports.Report(
            "gone@host", "ClamAV 1.4.6", null, null, now.minus(Duration.ofDays(2))));
    reports.save(
        new ScannerReports.Report(
            "w1@host", "ClamAV 1.4.6/27000/x", built, null, now.minusSeconds(30)));
    reports.save(
        new ScannerReports.Report("w1@host", "ClamAV 1.4.6/27000/x", built, "too old", now));
    reports.save(
        new ScannerReports.Report(
            "w2@host", null, null, "clamd cannot be reached", now.minusSeconds(600)));

    assertThat(reports.since(now.minusSeconds(120)))
        .containsExactly(
            new ScannerReports.Report("w1@host", "ClamAV 1.4.6/27000/x", built, "too old", now));
    assertThat(reports.since(now.minus(Duration.ofDays(3))))
        .extracting(ScannerReports.Report::worker)
        .containsExactly("w1@host", "w2@host");
  }
}
