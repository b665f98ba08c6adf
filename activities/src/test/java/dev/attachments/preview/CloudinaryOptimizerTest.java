package dev.attachments.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cloudinary.Cloudinary;
import dev.attachments.testing.FakeCloudinary;
import dev.attachments.testing.RealS3;
import dev.attachments.testing.TestFiles;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloudinaryOptimizerTest {
  private static RealS3 s3;
  private static FakeCloudinary cloudinary;

  private TestActivityEnvironment env;

  @BeforeAll
  static void start() throws Exception {
    s3 = new RealS3();
    cloudinary = new FakeCloudinary("demo", "123456789", "s3cr3t");
  }

  @AfterAll
  static void stop() throws Exception {
    cloudinary.close();
    s3.close();
  }

  @BeforeEach
  void environment() {
    env = TestActivityEnvironment.newInstance();
    cloudinary.rateLimitNext.set(0);
  }

  @AfterEach
  void closeEnvironment() {
    env.close();
  }

  private OptimizerActivities optimizer(String cloudinaryUrl, int attempts) {
    env.registerActivitiesImplementations(
        new CloudinaryOptimizer(new Cloudinary(cloudinaryUrl), s3.presigner, RealS3.BUCKETS, Duration.ofMinutes(5)));
    return env.newActivityStub(
        OptimizerActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setMaximumAttempts(attempts)
                    .setInitialInterval(Duration.ofMillis(10))
                    .build())
            .build());
  }

  private static PreviewRequest released(byte[] content, String contentType) {
    String id = UUID.randomUUID().toString();
    s3.put("released", "acme/" + id, content);
    return new PreviewRequest(id, "acme/" + id, contentType, "file");
  }

  @Test
  void releasedImageGetsAThumbnailCloudinaryFetchedFromAPresignedUrl() {
    PreviewRequest request = released(TestFiles.png(800, 600), "image/png");

    Preview preview = optimizer(cloudinary.url(), 1).optimize(request);

    assertThat(preview.status()).isEqualTo(PreviewStatus.READY);
    assertThat(preview.urls().get("thumbnail"))
        .startsWith("https://res.cloudinary.com/demo/image/upload/")
        .contains("w_320")
        .endsWith(request.attachmentId() + ".png");
    assertThat(preview.urls().get("optimized")).contains("f_auto,q_auto").contains(request.attachmentId());
    var upload = cloudinary.uploads.get(cloudinary.uploads.size() - 1);
    assertThat(upload.get("file")).contains("X-Amz-Signature=").contains("/released/acme/");
    assertThat(upload.get("public_id")).isEqualTo(request.attachmentId());
  }

  @Test
  void wrongSecretIsRefusedByTheSignatureCheck() {
    PreviewRequest request = released(TestFiles.png(10, 10), "image/png");
    OptimizerActivities optimizer =
        optimizer(cloudinary.url().replace(":s3cr3t@", ":wrong@"), 3);

    assertThatThrownBy(() -> optimizer.optimize(request))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(CloudinaryOptimizer.REFUSED);
              assertThat(failure.getOriginalMessage()).contains("401").contains("Invalid Signature");
            });
  }

  @Test
  void rateLimitedUploadFailsRetryablyAndGoesThroughOnceTheLimitClears() {
    PreviewRequest request = released(TestFiles.png(50, 50), "image/png");
    OptimizerActivities optimizer = optimizer(cloudinary.url(), 1);
    cloudinary.rateLimitNext.set(1);

    // the test environment runs one attempt; Temporal's retry policy makes the next ones
    assertThatThrownBy(() -> optimizer.optimize(request))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.isNonRetryable()).isFalse();
              assertThat(failure.getOriginalMessage()).contains("420");
            });
    assertThat(optimizer.optimize(request).status()).isEqualTo(PreviewStatus.READY);
  }

  @Test
  void corruptImageIsRefusedForGood() {
    PreviewRequest request = released("not really a png".getBytes(), "image/png");

    assertThatThrownBy(() -> optimizer(cloudinary.url(), 3).optimize(request))
        .isInstanceOf(ActivityFailure.class)
        .hasStackTraceContaining("Invalid image file");
  }

  @Test
  void documentsAreNotSentToCloudinaryYet() {
    PreviewRequest request = released("%PDF-1.4".getBytes(), "application/pdf");
    int before = cloudinary.uploads.size();

    Preview preview = optimizer(cloudinary.url(), 1).optimize(request);

    assertThat(preview.status()).isEqualTo(PreviewStatus.UNSUPPORTED);
    assertThat(cloudinary.uploads.size()).isEqualTo(before);
  }
}
