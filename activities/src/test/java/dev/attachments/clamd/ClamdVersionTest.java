package dev.attachments.clamd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClamdVersionTest {
  private static final Duration THREE_DAYS = Duration.ofDays(3);

  @Test
  void theDatabaseVersionAndDateAreReadFromClamdsAnswerEvenWithAPaddedDay() {
    ClamdVersion version = ClamdVersion.parse("ClamAV 1.4.6/27000/Wed Nov  4 09:00:00 2026");

    assertThat(version.database()).isEqualTo(27000L);
    assertThat(version.builtAt()).isEqualTo(Instant.parse("2026-11-04T09:00:00Z"));
    assertThat(ClamdVersion.parse("ClamAV 1.4.6/27001/Tue Nov 24 09:00:00 2026").builtAt())
        .isEqualTo(Instant.parse("2026-11-24T09:00:00Z"));
  }

  @Test
  void aDatabaseOlderThanAllowedOrUndatedGivesNoVerdictThatCounts() {
    ClamdVersion built = ClamdVersion.parse("ClamAV 1.4.6/27000/Tue Nov 24 09:00:00 2026");

    assertThat(built.staleness(THREE_DAYS, Instant.parse("2026-11-27T08:59:00Z"))).isNull();
    assertThat(built.staleness(THREE_DAYS, Instant.parse("2026-11-27T09:01:00Z")))
        .contains("built 2026-11-24T09:00:00Z", "older than the 3d allowed");
    assertThat(ClamdVersion.parse("ClamAV 1.4.6").staleness(THREE_DAYS, Instant.now()))
        .contains("names no dated signature database");
    assertThat(ClamdVersion.parse("ClamAV 1.4.6/garbage").staleness(THREE_DAYS, Instant.now()))
        .contains("names no dated signature database");
  }

  @Test
  void withNoLimitAnyDatabaseWillDo() {
    assertThat(ClamdVersion.parse("ClamAV 1.4.6").staleness(null, Instant.now())).isNull();
  }
}
