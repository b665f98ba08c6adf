package dev.attachments.metadata;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * How every store here speaks to PostgreSQL: Jdbi, named parameters, one handle (or one
 * transaction) a call, and every failure as a {@link MetadataStoreException} that says what was
 * being done.
 */
final class Store {
  private final Jdbi jdbi;

  Store(DataSource dataSource) {
    this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
  }

  <T> T read(String what, HandleCallback<T, RuntimeException> work) {
    try {
      return jdbi.withHandle(work);
    } catch (JdbiException e) {
      throw new MetadataStoreException(what + ": " + e.getMessage(), e);
    }
  }

  /** All of {@code work} or none of it. */
  <T> T inTransaction(String what, HandleCallback<T, RuntimeException> work) {
    try {
      return jdbi.inTransaction(work);
    } catch (JdbiException e) {
      throw new MetadataStoreException(what + ": " + e.getMessage(), e);
    }
  }

  /** A nullable instant as the typed parameter PostgreSQL needs even when it is null. */
  static Timestamp timestamp(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }

  /** PostgreSQL keeps microseconds: what we store must compare equal to what we read back. */
  static Instant truncate(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }
}
