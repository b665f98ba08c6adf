package dev.attachments.api;

import com.uber.m3.tally.RootScopeBuilder;
import dev.attachments.api.auth.ApiKeys;
import dev.attachments.metadata.AttachmentStatuses;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.metadata.RateLimits;
import dev.attachments.metadata.ScannerReports;
import dev.attachments.metadata.UploadTokens;
import dev.attachments.metadata.WebhookRepository;
import dev.attachments.redaction.RedactingFailureConverter;
import dev.attachments.storage.S3Connection;
import dev.attachments.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The clients of the outside systems, built once from the settings and shared. */
@Factory
public class Infrastructure {
  /**
   * No keys, no API: there is no default key, and none is made up and logged (the embedded stack
   * makes one and keeps it in its data dir).
   */
  @Context
  ApiKeys apiKeys(ApiSettings.Keys keys) {
    if (keys.api() == null || keys.api().isBlank()) {
      throw new IllegalStateException(
          "ATTACHMENTS_API_KEYS is not set: give the API its owners' key entries"
              + " (owner:id:sha256:created[:expires],...; mint one with `./run key OWNER`)");
    }
    return ApiKeys.parse("ATTACHMENTS_API_KEYS", keys.api());
  }

  /**
   * The schema is migrated before the first request; Flyway's lock makes the worker doing the same
   * harmless.
   */
  @Context
  Attachments attachments(DataSource dataSource) {
    Flyway.configure().dataSource(dataSource).load().migrate();
    return new Attachments(dataSource);
  }

  @Singleton
  UploadTokens uploadTokens(DataSource dataSource) {
    return new UploadTokens(dataSource);
  }

  @Singleton
  OperatorActions operatorActions(DataSource dataSource) {
    return new OperatorActions(dataSource);
  }

  /** Checked at start-up: a setting S3 cannot serve stops the API with the reason. */
  @Context
  S3Connection s3Connection(ApiSettings.S3 s3, ApiSettings.Buckets buckets) {
    return s3.connection().checkServes(List.of(buckets.incoming(), buckets.released()));
  }

  @Singleton
  AttachmentStatuses attachmentStatuses(DataSource dataSource) {
    return new AttachmentStatuses(dataSource);
  }

  @Singleton
  RateLimits rateLimits(DataSource dataSource) {
    return new RateLimits(dataSource);
  }

  @Singleton
  ScannerReports scannerReports(DataSource dataSource) {
    return new ScannerReports(dataSource);
  }

  @Singleton
  WebhookRepository webhookRepository(DataSource dataSource) {
    return new WebhookRepository(dataSource);
  }

  @Singleton
  @Bean(preDestroy = "close")
  S3Presigner s3Presigner(S3Connection s3) {
    return s3.presigner();
  }

  @Singleton
  @Bean(preDestroy = "close")
  S3Client s3Client(S3Connection s3) {
    return s3.promptClient();
  }

  @Singleton
  @Bean(preDestroy = "shutdown")
  WorkflowServiceStubs workflowService(ApiSettings.Temporal temporal, MeterRegistry meters) {
    // a Temporal that stops answering fails the call within seconds (503), retries included
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(temporal.target())
            // the SDK's client metrics (temporal_request*, temporal_long_request*) and the recovery
            // worker's, exported with the API's own on the management port
            .setMetricsScope(
                new RootScopeBuilder()
                    .reporter(new MicrometerClientStatsReporter(meters))
                    .reportEvery(com.uber.m3.util.Duration.ofSeconds(10)))
            .setRpcTimeout(Duration.ofSeconds(4))
            .setRpcRetryOptions(
                RpcRetryOptions.newBuilder().setExpiration(Duration.ofSeconds(6)).build());
    return WorkflowServiceStubs.newServiceStubs(temporal.security().applyTo(options).build());
  }

  @Singleton
  WorkflowClient workflowClient(WorkflowServiceStubs service, ApiSettings.Temporal temporal) {
    WorkflowClientOptions.Builder options =
        WorkflowClientOptions.newBuilder()
            .setNamespace(temporal.namespace())
            .setDataConverter(RedactingFailureConverter.dataConverter());
    if (Tracing.enabled()) {
      // starting and signalling a workflow are spans of the request's trace, carried to the worker
      options.setInterceptors(Tracing.temporalClient());
    }
    return WorkflowClient.newInstance(service, options.build());
  }
}
