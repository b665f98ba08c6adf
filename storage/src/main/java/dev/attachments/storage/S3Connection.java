package dev.attachments.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * How the api and the worker reach S3, or an S3-compatible server, and the clients built from it.
 *
 * @param endpoint an S3-compatible server, or null for AWS S3 itself
 * @param publicEndpoint where clients reach that server when it differs (a container network), else
 *     null
 * @param accessKey null for the AWS default credential chain
 * @param accelerate presigned URLs use the S3 Transfer Acceleration endpoint (AWS only)
 * @param dualstack presigned URLs use the dual-stack (IPv4 and IPv6) endpoint (AWS only)
 */
public record S3Connection(
    URI endpoint,
    URI publicEndpoint,
    String region,
    String accessKey,
    String secretKey,
    boolean accelerate,
    boolean dualstack) {

  /** From settings as they come from the environment: blank means not set. */
  public static S3Connection of(
      String endpoint,
      String publicEndpoint,
      String region,
      String accessKey,
      String secretKey,
      boolean accelerate,
      boolean dualstack) {
    return new S3Connection(
        uri(endpoint),
        uri(publicEndpoint),
        blank(region) ? "us-east-1" : region.trim(),
        blank(accessKey) ? null : accessKey,
        blank(secretKey) ? null : secretKey,
        accelerate,
        dualstack);
  }

  /**
   * Refuses a setting S3 cannot serve, with the reason, before anything is presigned with it.
   *
   * @throws IllegalStateException naming the setting to change
   */
  public S3Connection checkServes(Collection<String> buckets) {
    if (endpoint != null && (accelerate || dualstack)) {
      throw new IllegalStateException(
          "ATTACHMENTS_S3_"
              + (accelerate ? "ACCELERATE" : "DUALSTACK")
              + "=true needs AWS S3 itself, but"
              + " ATTACHMENTS_S3_ENDPOINT is set to "
              + endpoint
              + ": unset one of them");
    }
    if (accelerate) {
      for (String bucket : buckets) {
        if (bucket.contains(".")) {
          throw new IllegalStateException(
              "bucket '"
                  + bucket
                  + "' has a dot in its name, which S3 Transfer Acceleration cannot serve:"
                  + " rename the bucket or set ATTACHMENTS_S3_ACCELERATE=false");
        }
      }
    }
    return this;
  }

  /**
   * For the service's own calls: never accelerated, the private endpoint. No deadline on the call
   * as a whole, since the worker streams objects of any size through it.
   */
  public S3Client client() {
    return builder().build();
  }

  /**
   * For calls a client of ours waits on (the API's): a server that stops answering fails the call
   * within seconds, as {@code SdkClientException}. No read may wait more than {@code PROMPT_READ},
   * a connection is made or taken from the pool within {@code PROMPT_CONNECT}, and a call, its
   * retries included, ends after {@code PROMPT_CALL}; a call that legitimately takes longer
   * (completing a multipart upload) lifts the last in its own request, and still fails fast when no
   * byte arrives for {@code PROMPT_READ}.
   */
  public S3Client promptClient() {
    return builder()
        .httpClientBuilder(
            Apache5HttpClient.builder()
                .connectionTimeout(PROMPT_CONNECT)
                .connectionAcquisitionTimeout(PROMPT_CONNECT)
                .socketTimeout(PROMPT_READ))
        .overrideConfiguration(c -> c.apiCallTimeout(PROMPT_CALL))
        .build();
  }

  public static final Duration PROMPT_CONNECT = Duration.ofSeconds(2);
  public static final Duration PROMPT_READ = Duration.ofSeconds(5);
  public static final Duration PROMPT_CALL = Duration.ofSeconds(8);

  private S3ClientBuilder builder() {
    var builder = S3Client.builder().region(Region.of(region)).credentialsProvider(credentials());
    if (endpoint != null) {
      // S3-compatible servers on one host name: path-style, and checksums only where S3 requires
      // them
      builder
          .endpointOverride(endpoint)
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    return builder;
  }

  /**
   * For URLs clients (and Cloudinary) use: the public endpoint, accelerated and dual-stack when
   * enabled.
   */
  public S3Presigner presigner() {
    URI presignEndpoint = publicEndpoint != null ? publicEndpoint : endpoint;
    var builder =
        S3Presigner.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials())
            .dualstackEnabled(dualstack)
            .serviceConfiguration(
                S3Configuration.builder()
                    .accelerateModeEnabled(accelerate)
                    // one host name for every bucket: the bucket goes in the path, not in a
                    // sub-domain
                    .pathStyleAccessEnabled(presignEndpoint != null)
                    .build());
    if (presignEndpoint != null) {
      builder.endpointOverride(presignEndpoint);
    }
    return builder.build();
  }

  private AwsCredentialsProvider credentials() {
    return accessKey != null
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))
        : DefaultCredentialsProvider.builder().build();
  }

  private static URI uri(String value) {
    return blank(value) ? null : URI.create(value.trim());
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
