package dev.attachments.cloudinary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cloudinary.Cloudinary;
import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
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
    return optimizer(
        cloudinaryUrl, attempts, new CloudinaryOptimizer.Settings(Duration.ofMinutes(5), null, 0));
  }

  private OptimizerActivities optimizer(
      String cloudinaryUrl, int attempts, CloudinaryOptimizer.Settings settings) {
    env.registerActivitiesImplementations(
        new CloudinaryOptimizer(
            new Cloudinary(cloudinaryUrl), s3.client, s3.presigner, RealS3.BUCKETS, settings));
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
        .endsWith("/" + request.attachmentId());
    assertThat(preview.urls().get("optimized"))
        .contains("f_auto,q_auto")
        .contains(request.attachmentId());
    var upload = cloudinary.uploads.get(cloudinary.uploads.size() - 1);
    assertThat(upload.get("file")).contains("X-Amz-Signature=").contains("/released/acme/");
    assertThat(upload.get("public_id")).isEqualTo(request.attachmentId());
  }

  @Test
  void wrongSecretIsRefusedByTheSignatureCheck() {
    PreviewRequest request = released(TestFiles.png(10, 10), "image/png");
    OptimizerActivities optimizer = optimizer(cloudinary.url().replace(":s3cr3t@", ":wrong@"), 3);

    assertThatThrownBy(() -> optimizer.optimize(request))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(CloudinaryOptimizer.REFUSED);
              assertThat(failure.getOriginalMessage())
                  .contains("401")
                  .contains("Invalid Signature");
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
  void aSourceCloudinaryCannotFetchIsRefusedWithoutQuotingItsSignature() {
    String id = UUID.randomUUID().toString();
    PreviewRequest gone =
        new PreviewRequest(id, "acme/" + id, "image/png", "file"); // not in the bucket: 404

    assertThatThrownBy(() -> optimizer(cloudinary.url(), 1).optimize(gone))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure ->
                assertThat(failure.getOriginalMessage())
                    .contains(
                        "Error in loading", "/released/acme/" + id, "X-Amz-Signature=REDACTED")
                    .doesNotContainPattern("X-Amz-Signature=[0-9a-f]{16}")
                    .doesNotContainPattern("X-Amz-(Credential|Signature)=(?!REDACTED)"));
  }

  @Test
  void corruptImageIsRefusedForGood() {
    PreviewRequest request = released("not really a png".getBytes(), "image/png");

    assertThatThrownBy(() -> optimizer(cloudinary.url(), 3).optimize(request))
        .isInstanceOf(ActivityFailure.class)
        .hasStackTraceContaining("Invalid image file");
  }

  @Test
  void pdfGetsItsFirstPageAndPageCount() {
    PreviewRequest request = released(TestFiles.pdf(), "application/pdf");

    Preview preview = optimizer(cloudinary.url(), 1).optimize(request);

    assertThat(preview.status()).isEqualTo(PreviewStatus.READY);
    assertThat(preview.pages()).isEqualTo(2);
    assertThat(preview.urls().get("thumbnail"))
        .contains("/image/upload/")
        .contains("pg_1")
        .endsWith(".jpg");
    assertThat(lastUpload().get("eager")).contains("pg_1").endsWith("/jpg");
  }

  @Test
  void videoGetsAPosterAndAWebRendition() {
    byte[] mp4 = TestFiles.mp4();
    org.junit.jupiter.api.Assumptions.assumeTrue(mp4 != null, "ffmpeg is not installed here");
    PreviewRequest request = released(mp4, "video/mp4");

    Preview preview = optimizer(cloudinary.url(), 1).optimize(request);

    assertThat(preview.status()).isEqualTo(PreviewStatus.READY);
    assertThat(preview.urls().get("poster"))
        .contains("/video/upload/")
        .contains("so_0")
        .endsWith(".jpg");
    assertThat(preview.urls().get("video")).contains("vc_h264").endsWith(".mp4");
    assertThat(lastUpload()).doesNotContainKey("eager_async");
  }

  @Test
  void audioGetsAWaveform() {
    byte[] wav = "RIFF\0\0\0\0WAVEfmt ".getBytes();
    PreviewRequest request = released(wav, "audio/wav");

    Preview preview = optimizer(cloudinary.url(), 1).optimize(request);

    assertThat(preview.urls().get("waveform"))
        .contains("/video/upload/")
        .contains("fl_waveform")
        .endsWith(".png");
  }

  @Test
  void largeVideoIsTransformedAsynchronouslyAndCloudinaryNotifiesWithASignature() throws Exception {
    java.util.concurrent.BlockingQueue<String[]> received =
        new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer receiver =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/v1/hooks/cloudinary",
        exchange -> {
          received.add(
              new String[] {
                new String(exchange.getRequestBody().readAllBytes()),
                exchange.getRequestHeaders().getFirst("X-Cld-Timestamp"),
                exchange.getRequestHeaders().getFirst("X-Cld-Signature")
              });
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    try {
      byte[] video = new byte[4096];
      System.arraycopy("\0\0\0\u0018ftypmp42".getBytes(), 0, video, 0, 12);
      PreviewRequest request = released(video, "video/mp4");
      java.net.URI hook =
          java.net.URI.create(
              "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/hooks/cloudinary");

      Preview preview =
          optimizer(
                  cloudinary.url(),
                  1,
                  new CloudinaryOptimizer.Settings(Duration.ofMinutes(5), hook, 1000))
              .optimize(request);

      assertThat(preview.status()).isEqualTo(PreviewStatus.PENDING);
      assertThat(preview.urls()).containsKeys("poster", "video");
      assertThat(lastUpload())
          .containsEntry("eager_async", "true")
          .containsEntry("eager_notification_url", hook.toString());
      String[] notification = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(notification).isNotNull();
      assertThat(notification[0])
          .contains(request.attachmentId())
          .contains("\"notification_type\":\"eager\"");
      assertThat(
              new com.cloudinary.api.signing.NotificationRequestSignatureVerifier("s3cr3t")
                  .verifySignature(notification[0], notification[1], notification[2], 60))
          .isTrue();
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void documentsOtherThanPdfAreNotSentToCloudinary() {
    PreviewRequest request = released("a,b\n".getBytes(), "text/csv");
    int before = cloudinary.uploads.size();

    Preview preview = optimizer(cloudinary.url(), 1).optimize(request);

    assertThat(preview.status()).isEqualTo(PreviewStatus.UNSUPPORTED);
    assertThat(cloudinary.uploads.size()).isEqualTo(before);
  }

  @Test
  void deletingTheAttachmentsPreviewsDestroysItsAssetSignedAndInvalidatesTheCdn() {
    PreviewRequest request = released(TestFiles.png(40, 30), "image/png");
    OptimizerActivities optimizer = optimizer(cloudinary.url(), 1);
    optimizer.optimize(request);
    assertThat(cloudinary.assets).contains("image/" + request.attachmentId());

    optimizer.deletePreviews(request);
    optimizer.deletePreviews(request); // a retry, or a repeated DELETE: nothing left, no error

    assertThat(cloudinary.assets).doesNotContain("image/" + request.attachmentId());
    assertThat(cloudinary.destroyed)
        .contains(
            "image/" + request.attachmentId() + " invalidated",
            "video/" + request.attachmentId() + " invalidated");
  }

  @Test
  void aDeletionWithTheWrongSecretIsRefusedAndTheAssetStays() {
    PreviewRequest request = released(TestFiles.png(10, 10), "image/png");
    new CloudinaryOptimizer(
            new Cloudinary(cloudinary.url()),
            s3.client,
            s3.presigner,
            RealS3.BUCKETS,
            new CloudinaryOptimizer.Settings(Duration.ofMinutes(5), null, 0))
        .optimize(request);
    OptimizerActivities wrong = optimizer(cloudinary.url().replace(":s3cr3t@", ":wrong@"), 3);

    assertThatThrownBy(() -> wrong.deletePreviews(request))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo(CloudinaryOptimizer.REFUSED));
    assertThat(cloudinary.assets).contains("image/" + request.attachmentId());
  }

  private static java.util.Map<String, String> lastUpload() {
    return cloudinary.uploads.get(cloudinary.uploads.size() - 1);
  }
}
