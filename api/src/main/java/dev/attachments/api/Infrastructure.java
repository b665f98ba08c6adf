package dev.attachments.api;

import dev.attachments.api.auth.ApiKeys;
import dev.attachments.metadata.AttachmentRepository;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Singleton;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The clients of the outside systems, built once from the settings and shared. */
@Factory
public class Infrastructure {
  private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

  @Singleton
  ApiKeys apiKeys(ApiSettings settings) {
    if (settings.apiKeys() == null || settings.apiKeys().isBlank()) {
      String generated = ApiKeys.generate();
      LOG.warn("ATTACHMENTS_API_KEYS is not set; this run accepts the key for dev: {}", generated.substring(4));
      return ApiKeys.parse(generated);
    }
    return ApiKeys.parse(settings.apiKeys());
  }

  /** The schema is migrated before the first request; Flyway's lock makes the worker doing the same harmless. */
  @Context
  AttachmentRepository attachmentRepository(DataSource dataSource) {
    Flyway.configure().dataSource(dataSource).load().migrate();
    return new AttachmentRepository(dataSource);
  }

  @Singleton
  @Bean(preDestroy = "close")
  S3Presigner s3Presigner(ApiSettings settings) {
    var builder = S3Presigner.builder().region(Region.of(settings.s3Region())).credentialsProvider(credentials(settings));
    settings
        .s3PresignEndpointUri()
        .ifPresent(
            // an S3-compatible server on one host name: bucket in the path, not in a sub-domain
            endpoint ->
                builder
                    .endpointOverride(endpoint)
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
    return builder.build();
  }

  @Singleton
  @Bean(preDestroy = "close")
  S3Client s3Client(ApiSettings settings) {
    var builder = S3Client.builder().region(Region.of(settings.s3Region())).credentialsProvider(credentials(settings));
    settings
        .s3EndpointUri()
        .ifPresent(
            endpoint ->
                builder
                    .endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(ApiSettings settings) {
    return settings.s3AccessKey() != null && !settings.s3AccessKey().isBlank()
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.s3AccessKey(), settings.s3SecretKey()))
        : DefaultCredentialsProvider.builder().build();
  }

  @Singleton
  @Bean(preDestroy = "shutdown")
  WorkflowServiceStubs workflowService(ApiSettings settings) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.temporalTarget()).build());
  }

  @Singleton
  WorkflowClient workflowClient(WorkflowServiceStubs service, ApiSettings settings) {
    return WorkflowClient.newInstance(
        service, WorkflowClientOptions.newBuilder().setNamespace(settings.temporalNamespace()).build());
  }
}
