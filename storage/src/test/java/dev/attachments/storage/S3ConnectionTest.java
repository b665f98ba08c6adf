package dev.attachments.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * Presigned URLs for every endpoint combination, as clients would receive them. Presigning needs no
 * network.
 */
class S3ConnectionTest {
  private static final List<String> BUCKETS = List.of("acme-incoming", "acme-released");

  private static S3Connection aws(boolean accelerate, boolean dualstack) {
    return S3Connection.of(null, null, "eu-west-1", "AKIDEXAMPLE", "secret", accelerate, dualstack)
        .checkServes(BUCKETS);
  }

  private static PresignedPutObjectRequest presignPut(S3Connection connection) {
    try (S3Presigner presigner = connection.presigner()) {
      return presigner.presignPutObject(
          p ->
              p.signatureDuration(Duration.ofMinutes(10))
                  .putObjectRequest(
                      b ->
                          b.bucket("acme-incoming")
                              .key("acme/123")
                              .contentType("image/png")
                              .contentLength(42L)));
    }
  }

  private static URL presignGet(S3Connection connection) {
    try (S3Presigner presigner = connection.presigner()) {
      return presigner
          .presignGetObject(
              p ->
                  p.signatureDuration(Duration.ofMinutes(5))
                      .getObjectRequest(b -> b.bucket("acme-released").key("acme/123")))
          .url();
    }
  }

  private static URL presignPart(S3Connection connection) {
    try (S3Presigner presigner = connection.presigner()) {
      return presigner
          .presignUploadPart(
              p ->
                  p.signatureDuration(Duration.ofMinutes(5))
                      .uploadPartRequest(
                          b ->
                              b.bucket("acme-incoming")
                                  .key("acme/123")
                                  .uploadId("up-1")
                                  .partNumber(3)))
          .url();
    }
  }

  @Test
  void plainAwsUrlsAreVirtualHostedRegional() {
    PresignedPutObjectRequest put = presignPut(aws(false, false));

    assertThat(put.url().getHost()).isEqualTo("acme-incoming.s3.eu-west-1.amazonaws.com");
    assertThat(put.url().getPath()).isEqualTo("/acme/123");
    assertThat(put.signedHeaders()).containsKeys("content-type", "content-length", "host");
  }

  @Test
  void accelerateSendsEveryUrlToTheAccelerateEndpoint() {
    S3Connection accelerated = aws(true, false);
    PresignedPutObjectRequest put = presignPut(accelerated);

    assertThat(put.url().getHost()).isEqualTo("acme-incoming.s3-accelerate.amazonaws.com");
    assertThat(put.url().getPath()).isEqualTo("/acme/123");
    assertThat(put.signedHeaders()).containsKeys("content-type", "content-length", "host");
    assertThat(presignGet(accelerated).getHost())
        .isEqualTo("acme-released.s3-accelerate.amazonaws.com");
    URL part = presignPart(accelerated);
    assertThat(part.getHost()).isEqualTo("acme-incoming.s3-accelerate.amazonaws.com");
    assertThat(part.getQuery()).contains("partNumber=3").contains("uploadId=up-1");
  }

  @Test
  void accelerateWithDualstackUsesTheDualstackAccelerateEndpoint() {
    S3Connection both = aws(true, true);

    assertThat(presignPut(both).url().getHost())
        .isEqualTo("acme-incoming.s3-accelerate.dualstack.amazonaws.com");
    assertThat(presignGet(both).getHost())
        .isEqualTo("acme-released.s3-accelerate.dualstack.amazonaws.com");
    assertThat(presignPart(both).getHost())
        .isEqualTo("acme-incoming.s3-accelerate.dualstack.amazonaws.com");
  }

  @Test
  void dualstackAloneUsesTheRegionalDualstackEndpoint() {
    assertThat(presignPut(aws(false, true)).url().getHost())
        .isEqualTo("acme-incoming.s3.dualstack.eu-west-1.amazonaws.com");
  }

  @Test
  void compatibleServerUrlsArePathStyleOnItsPublicAddress() {
    S3Connection minio =
        S3Connection.of(
                "http://minio:9000", "http://localhost:9000", "us-east-1", "a", "b", false, false)
            .checkServes(BUCKETS);

    PresignedPutObjectRequest put = presignPut(minio);

    assertThat(put.url().toString()).startsWith("http://localhost:9000/acme-incoming/acme/123?");
    assertThat(put.signedHeaders()).containsKeys("content-type", "content-length", "host");
  }

  @Test
  void accelerationWithAnEndpointOverrideIsRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                S3Connection.of("http://127.0.0.1:9000", null, "us-east-1", "a", "b", true, false)
                    .checkServes(BUCKETS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ATTACHMENTS_S3_ACCELERATE")
        .hasMessageContaining("ATTACHMENTS_S3_ENDPOINT");
    assertThatThrownBy(
            () ->
                S3Connection.of("http://127.0.0.1:9000", null, "us-east-1", "a", "b", false, true)
                    .checkServes(BUCKETS))
        .hasMessageContaining("ATTACHMENTS_S3_DUALSTACK");
  }

  @Test
  void accelerationOfADottedBucketIsRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                S3Connection.of(null, null, "us-east-1", "a", "b", true, false)
                    .checkServes(List.of("files.acme.com")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("files.acme.com")
        .hasMessageContaining("dot");
  }
}
