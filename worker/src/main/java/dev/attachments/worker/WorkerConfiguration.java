package dev.attachments.worker;

import com.cloudinary.Cloudinary;
import dev.attachments.metadata.AttachmentRepository;
import dev.attachments.preview.CloudinaryOptimizer;
import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.UnconfiguredOptimizer;
import dev.attachments.publish.MetadataPublisher;
import dev.attachments.scan.ClamdClient;
import dev.attachments.scan.ClamdScanner;
import dev.attachments.upload.Buckets;
import dev.attachments.upload.S3Storage;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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

/** Wires each activity to its outside system; the starter discovers them by their @ActivityImpl. */
@Configuration
public class WorkerConfiguration {
  private static final int CLAMD_CHUNK = 1024 * 1024;

  @Bean
  Buckets buckets(WorkerSettings settings) {
    WorkerSettings.Buckets b = settings.buckets();
    return new Buckets(b.incoming(), b.released(), b.quarantine());
  }

  @Bean(destroyMethod = "close")
  S3Client s3Client(WorkerSettings settings) {
    var builder = S3Client.builder().region(Region.of(settings.s3().region())).credentialsProvider(credentials(settings));
    if (settings.s3().hasEndpoint()) {
      // S3-compatible servers on one host name: path-style, and checksums only where S3 requires them
      builder
          .endpointOverride(settings.s3().endpoint())
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    return builder.build();
  }

  @Bean(destroyMethod = "close")
  S3Presigner s3Presigner(WorkerSettings settings) {
    var builder = S3Presigner.builder().region(Region.of(settings.s3().region())).credentialsProvider(credentials(settings));
    if (settings.s3().hasEndpoint()) {
      builder
          .endpointOverride(settings.s3().endpoint())
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
    }
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(WorkerSettings settings) {
    return settings.s3().hasStaticCredentials()
        ? StaticCredentialsProvider.create(
            AwsBasicCredentials.create(settings.s3().accessKey(), settings.s3().secretKey()))
        : DefaultCredentialsProvider.builder().build();
  }

  @Bean
  S3Storage storage(S3Client s3, Buckets buckets) {
    return new S3Storage(s3, buckets);
  }

  @Bean
  ClamdScanner scanner(S3Client s3, Buckets buckets, WorkerSettings settings) {
    WorkerSettings.Clamd clamd = settings.clamd();
    return new ClamdScanner(
        s3, buckets, new ClamdClient(clamd.host(), clamd.port(), clamd.connectTimeout(), clamd.readTimeout(), CLAMD_CHUNK));
  }

  @Bean
  OptimizerActivities optimizer(WorkerSettings settings, S3Presigner presigner, Buckets buckets) {
    WorkerSettings.Cloudinary cloudinary = settings.cloudinary();
    if (!cloudinary.isConfigured()) {
      return new UnconfiguredOptimizer();
    }
    return new CloudinaryOptimizer(new Cloudinary(cloudinary.url()), presigner, buckets, cloudinary.fetchWindow());
  }

  @Bean
  MetadataPublisher metadataPublisher(DataSource dataSource) {
    return new MetadataPublisher(new AttachmentRepository(dataSource));
  }
}
