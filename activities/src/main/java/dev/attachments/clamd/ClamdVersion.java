package dev.attachments.clamd;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * What clamd's VERSION says: {@code ClamAV 1.4.6/27000/Tue Nov 24 09:00:00 2026} is engine 1.4.6
 * with daily signature database 27000, built at that time. clamd prints the date with C's {@code
 * ctime} in its own time zone; we read it as UTC (clamd's images run in UTC), so a clamd in another
 * zone is off by its offset, hours against an allowed age of days. A clamd with no dated database
 * (only unofficial {@code .ndb}, {@code .hdb} files) answers the engine alone.
 *
 * @param line the whole answer, recorded with every verdict
 * @param database the daily database's version, or null when clamd names none
 * @param builtAt when that database was built, or null
 */
public record ClamdVersion(String line, Long database, Instant builtAt) {
  private static final DateTimeFormatter CTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

  public static ClamdVersion parse(String line) {
    String[] parts = line.split("/", 3);
    if (parts.length < 3) {
      return new ClamdVersion(line, null, null);
    }
    try {
      return new ClamdVersion(
          line,
          Long.parseLong(parts[1].trim()),
          LocalDateTime.parse(parts[2].trim(), CTIME).toInstant(ZoneOffset.UTC));
    } catch (NumberFormatException | DateTimeParseException unreadable) {
      return new ClamdVersion(line, null, null);
    }
  }

  /**
   * Why verdicts of this clamd must not count, or null when they may.
   *
   * @param maxAge the oldest database allowed, or null to accept any, dated or not
   */
  public String staleness(Duration maxAge, Instant now) {
    if (maxAge == null) {
      return null;
    }
    if (builtAt == null) {
      return "clamd names no dated signature database ('"
          + line
          + "'), and signatures may be at most "
          + human(maxAge)
          + " old (ATTACHMENTS_MAX_SIGNATURE_AGE): is freshclam running?";
    }
    Duration age = Duration.between(builtAt, now);
    if (age.compareTo(maxAge) > 0) {
      return "clamd's signature database "
          + database
          + " was built "
          + builtAt
          + ", "
          + human(age)
          + " ago, older than the "
          + human(maxAge)
          + " allowed (ATTACHMENTS_MAX_SIGNATURE_AGE): is freshclam running?";
    }
    return null;
  }

  /** A duration as people write it: {@code 3d}, {@code 5h}, {@code 40m}. */
  private static String human(Duration d) {
    if (d.toHours() >= 48) {
      return d.toDays() + "d";
    }
    if (d.toMinutes() >= 120) {
      return d.toHours() + "h";
    }
    return d.toMinutes() + "m";
  }
}
