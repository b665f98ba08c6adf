package dev.attachments.api;

import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL that stops answering costs a request seconds, not minutes: the driver gives up on a
 * new connection after 3 s and on a read after 5 s, and the API answers 503 with Retry-After. Set
 * on the JDBC URL, where pgjdbc reads them (the pool's data-source properties did not reach the
 * driver: a read on a frozen server blocked past 12 s); a value already in {@code
 * ATTACHMENTS_DB_URL} wins.
 */
@Singleton
public class DatabaseTimeouts implements BeanCreatedEventListener<DatasourceConfiguration> {
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("connectTimeout", "3");
    DEFAULTS.put("loginTimeout", "3");
    DEFAULTS.put("socketTimeout", "5");
  }

  @Override
  public DatasourceConfiguration onCreated(BeanCreatedEvent<DatasourceConfiguration> event) {
    DatasourceConfiguration configuration = event.getBean();
    if (configuration.getUrl() != null) {
      configuration.setUrl(withTimeouts(configuration.getUrl()));
    }
    return configuration;
  }

  static String withTimeouts(String url) {
    StringBuilder result = new StringBuilder(url);
    DEFAULTS.forEach(
        (name, seconds) -> {
          if (!url.matches(".*[?&]" + name + "=.*")) {
            result
                .append(result.indexOf("?") < 0 ? '?' : '&')
                .append(name)
                .append('=')
                .append(seconds);
          }
        });
    return result.toString();
  }
}
