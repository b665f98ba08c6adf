package dev.attachments.worker;

import dev.attachments.clamd.ClamdScanner;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the worker's readiness ({@code /health/readiness}) asks besides the database: Temporal
 * answers and the workers poll, and clamd would give verdicts now. Liveness asks none of these: a
 * dependency that is down makes the worker wait, and restarting it would not help.
 */
@Configuration
class WorkerHealth {
  private static final long TEMPORAL_DEADLINE_SECONDS = 2;

  @Bean
  HealthIndicator temporalHealthIndicator(WorkflowServiceStubs temporal, WorkerFactory workers) {
    return () -> {
      if (!workers.isStarted() || workers.isShutdown()) {
        return Health.down().withDetail("workers", "not polling").build();
      }
      try {
        temporal
            .blockingStub()
            .withDeadlineAfter(TEMPORAL_DEADLINE_SECONDS, TimeUnit.SECONDS)
            .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        return Health.up().build();
      } catch (RuntimeException unanswered) {
        return Health.down().withDetail("error", unanswered.getMessage()).build();
      }
    };
  }

  @Bean
  @WorkerRoles.Serving("scan")
  HealthIndicator scannerHealthIndicator(ScannerMonitor monitor) {
    return () -> {
      ClamdScanner.Readiness readiness = monitor.last();
      if (readiness == null) {
        return Health.unknown().withDetail("scanner", "not asked yet").build();
      }
      Health.Builder health = readiness.problem() == null ? Health.up() : Health.down();
      if (readiness.engine() != null) {
        health.withDetail("engine", readiness.engine());
      }
      if (readiness.problem() != null) {
        health.withDetail("problem", readiness.problem());
      }
      return health.build();
    };
  }
}
