package dev.attachments.worker;

import dev.attachments.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker's part of the traces (when OTEL_EXPORTER_OTLP_ENDPOINT is set): the starter finds the
 * OpenTelemetry bean and puts Temporal's tracing interceptors on the workers and the client
 * (through OpenTelemetry's OpenTracing shim), so that each workflow and activity is a span of the
 * trace the API started; statements on the metadata store are spans too.
 */
@Configuration
class WorkerTracing {
  @Bean
  OpenTelemetry openTelemetry() {
    return Tracing.current();
  }

  @Bean
  static BeanPostProcessor tracedDataSources() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String name) {
        return bean instanceof DataSource dataSource ? Tracing.traced(dataSource) : bean;
      }
    };
  }
}
