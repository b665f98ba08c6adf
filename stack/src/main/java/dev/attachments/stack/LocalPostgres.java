package dev.attachments.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server from Maven-packaged binaries, keeping its data in a folder across
 * restarts.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";

  private final EmbeddedPostgres postgres;

  private LocalPostgres(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static LocalPostgres start(Path folder) throws IOException {
    Files.createDirectories(folder.getParent());
    return new LocalPostgres(
        EmbeddedPostgres.builder()
            .setDataDirectory(folder)
            .setCleanDataDirectory(false)
            .setPort(FreePort.pick())
            .start());
  }

  public String jdbcUrl() {
    return postgres.getJdbcUrl(USER, "postgres");
  }

  public javax.sql.DataSource dataSource() {
    return postgres.getPostgresDatabase();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
