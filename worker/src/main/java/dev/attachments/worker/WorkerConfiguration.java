package dev.attachments.worker;

import com.cloudinary.Cloudinary;
import dev.attachments.clamd.ClamdClient;
import dev.attachments.clamd.ClamdScanner;
import dev.attachments.cloudinary.CloudinaryOptimizer;
import dev.attachments.metadata.AttachmentStatuses;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.Backlog;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.metadata.ScannerReports;
import dev.attachments.metadata.WebhookRepository;
import dev.attachments.postgres.MetadataPublisher;
import dev.attachments.preview.OptimizerActivities;
import dev.attachments.redaction.RedactingFailureConverter;
import dev.attachments.s3.Buckets;
import dev.attachments.s3.S3Storage;
import dev.attachments.s3.StorageRetention;
import dev.attachments.storage.S3Connection;
import dev.attachments.storage.S3Objects;
import dev.attachments.thumbnails.LocalOptimizer;
import dev.attachments.thumbnails.UnconfiguredOptimizer;
import dev.attachments.webhook.WebhookTargets;
import dev.attachments.webhookdelivery.WebhookPublisher;
import dev.attachments.workflow.TaskQueues;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Wires each activity to its outside system; the starter discovers them by their @ActivityImpl. */
@Configuration
public class WorkerConfiguration {
  private static final int CLAMD_CHUNK = 1024 * 1024;
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(WorkerConfiguration.class);

  /**
   * Temporal's default, with failures scrubbed of credentials before they are recorded; the starter
   * uses it.
   */
  @Bean
  DataConverter dataConverter() {
    return RedactingFailureConverter.dataConverter();
  }

  /** TLS, a Temporal Cloud API key or a client certificate for the starter's connection, as set. */
  @Bean
  TemporalOptionsCustomizer<WorkflowServiceStubsOptions.Builder> temporalSecurity(
      WorkerSettings settings) {
    return options -> settings.temporal().security().applyTo(options);
  }

  @Bean
  Buckets buckets(WorkerSettings settings) {
    WorkerSettings.Buckets b = settings.buckets();
    return new Buckets(b.incoming(), b.released(), b.quarantine());
  }

  /** Checked at start-up: a setting S3 cannot serve stops the worker with the reason. */
  @Bean
  S3Connection s3Connection(WorkerSettings settings, Buckets buckets) {
    return settings.s3().connection().checkServes(List.of(buckets.incoming(), buckets.released()));
  }

  @Bean(destroyMethod = "close")
  S3Client s3Client(S3Connection s3) {
    return s3.client();
  }

  @Bean(destroyMethod = "close")
  S3Presigner s3Presigner(S3Connection s3) {
    return s3.presigner();
  }

  @WorkerRoles.Serving("main")
  @Bean
  S3Storage storage(S3Client s3, Buckets buckets, WorkerSettings settings) {
    WorkerSettings.Copy copy = settings.copy();
    return new S3Storage(
        s3,
        buckets,
        new S3Storage.Copying(copy.multipartThreshold(), copy.partSize(), copy.parallelism()));
  }

  @WorkerRoles.Serving("scan")
  @Bean
  ClamdScanner scanner(
      S3Client s3, Buckets buckets, WorkerSettings settings, MeterRegistry meters) {
    WorkerSettings.Clamd clamd = settings.clamd();
    ClamdScanner scanner =
        new ClamdScanner(
            s3,
            buckets,
            new ClamdClient(
                clamd.host(),
                clamd.port(),
                clamd.connectTimeout(),
                clamd.readTimeout(),
                CLAMD_CHUNK),
            clamd.maxStream(),
            clamd.signatureAgeLimit(),
            meters);
    try {
      scanner.checkClamd(); // a clamd configured otherwise stops the worker here, with the reason
      LOG.info(
          "clamd at {}:{} scans as configured (streams up to {} bytes, alerts on)",
          clamd.host(),
          clamd.port(),
          clamd.maxStream());
    } catch (java.io.UncheckedIOException unreachable) {
      LOG.warn(
          "clamd at {}:{} cannot be reached yet ({}); it is checked before the first scan, which waits",
          clamd.host(),
          clamd.port(),
          unreachable.getMessage());
    }
    return scanner;
  }

  /**
   * Cloudinary when CLOUDINARY_URL is set; else previews made in this worker, unless they are
   * turned off.
   */
  @WorkerRoles.Serving("media")
  @Bean
  OptimizerActivities optimizer(
      WorkerSettings settings, S3Client s3, S3Presigner presigner, Buckets buckets) {
    WorkerSettings.Cloudinary cloudinary = settings.cloudinary();
    if (cloudinary.isConfigured()) {
      return new CloudinaryOptimizer(
          new Cloudinary(cloudinary.url()),
          s3,
          presigner,
          buckets,
          new CloudinaryOptimizer.Settings(
              cloudinary.fetchWindow(), cloudinary.notificationUri(), cloudinary.asyncAbove()));
    }
    WorkerSettings.Previews previews = settings.previews();
    if (previews.mode().equalsIgnoreCase("off")) {
      return new UnconfiguredOptimizer();
    }
    return new LocalOptimizer(
        s3,
        presigner,
        buckets,
        new LocalOptimizer.Limits(
            previews.maxPixels(), previews.maxSourceBytes(), previews.renderTimeout()),
        runnable(previews.ffmpeg()));
  }

  /** The binary when it runs here, else null. */
  private static String runnable(String binary) {
    try {
      Process process = new ProcessBuilder(binary, "-version").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      if (process.waitFor() == 0) {
        return binary;
      }
    } catch (java.io.IOException e) {
      // not installed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("{} cannot be run: videos get no preview", binary);
    return null;
  }

  @WorkerRoles.Serving("scan")
  @Bean
  ScannerMonitor scannerMonitor(ClamdScanner scanner, DataSource dataSource, MeterRegistry meters) {
    return new ScannerMonitor(scanner, new ScannerReports(dataSource), meters);
  }

  @WorkerRoles.Serving("main")
  @Bean
  BacklogMeters backlogMeters(DataSource dataSource, MeterRegistry meters) {
    return new BacklogMeters(new Backlog(dataSource), meters);
  }

  @WorkerRoles.Serving("main")
  @Bean
  StorageRetention storageRetention(
      S3Client s3, Buckets buckets, DataSource dataSource, WorkerSettings settings) {
    return new StorageRetention(
        s3,
        buckets,
        new Attachments(dataSource),
        new OperatorActions(dataSource),
        settings.retention().quarantineFor());
  }

  @WorkerRoles.Serving("main")
  @Bean
  MetadataPublisher metadataPublisher(
      DataSource dataSource, MeterRegistry meters, WebhookPublisher webhooks) {
    return new MetadataPublisher(new AttachmentStatuses(dataSource), meters, webhooks::emit);
  }

  @WorkerRoles.Serving("main")
  @Bean
  WebhookPublisher webhookPublisher(
      DataSource dataSource,
      WorkflowClient temporal,
      WorkerSettings settings,
      S3Presigner presigner,
      Buckets buckets,
      @Value(TaskQueues.WEBHOOKS_PLACEHOLDER) String taskQueue,
      MeterRegistry meters) {
    return new WebhookPublisher(
        new WebhookRepository(dataSource),
        new Attachments(dataSource),
        temporal,
        taskQueue,
        new WebhookTargets(settings.webhooks().allowHttp()),
        // worker-made previews are objects: receivers get an hour to fetch them
        url ->
            S3Objects.fetchable(url, buckets.released(), presigner, java.time.Duration.ofHours(1)),
        meters);
  }
}
