package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.FakeCloudinary;
import dev.attachments.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded stack with previews through Cloudinary: the real SDK in the worker talks to a local
 * Cloudinary-compatible server that checks signatures, fetches the presigned URL, answers 420 when
 * told to, and notifies the API's hook for asynchronous derivatives.
 */
class CloudinaryEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final Duration PROCESSING = Duration.ofSeconds(90);
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");

  private static FakeCloudinary cloudinary;
  private static EmbeddedStack stack;
  private static AttachmentsClient client;

  @BeforeAll
  static void start() throws Exception {
    cloudinary = new FakeCloudinary("e2e-cloud", "4242", "e2e-cloud-secret");
    int apiPort = FreePort.pick();
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                Files.createTempDirectory("attachments-cloudinary"),
                apiPort,
                ACME.entry(),
                Map.of(
                    "CLOUDINARY_URL",
                    cloudinary.url(),
                    "ATTACHMENTS_CLOUDINARY_NOTIFICATION_URL",
                    "http://127.0.0.1:" + apiPort + "/v1/hooks/cloudinary",
                    // every video goes the asynchronous way here
                    "ATTACHMENTS_CLOUDINARY_ASYNC_ABOVE",
                    "1000")));
    client = new AttachmentsClient(stack.apiUrl(), ACME.key());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (cloudinary != null) {
      cloudinary.close();
    }
  }

  private static JsonNode process(String name, String type, byte[] content) throws Exception {
    JsonNode created = client.create(name, type, content.length);
    assertThat(client.upload(created, content)).isEqualTo(200);
    String id = created.get("id").asText();
    client.complete(id);
    JsonNode attachment = client.awaitStatus(id, FINAL, PROCESSING);
    assertThat(attachment.get("status").asText()).isEqualTo("RELEASED");
    return client.awaitPreview(id, PROCESSING);
  }

  @Test
  void imagesAndPdfsGetCloudinaryUrls() throws Exception {
    JsonNode png = process("logo.png", "image/png", TestFiles.png(800, 600)).get("preview");
    JsonNode jpeg =
        process("photo.jpg", "image/jpeg", TestFiles.image("jpg", 1200, 800)).get("preview");
    JsonNode pdf = process("brief.pdf", "application/pdf", TestFiles.pdf()).get("preview");

    assertThat(png.get("status").asText()).isEqualTo("READY");
    assertThat(png.get("urls").get("thumbnail").asText())
        .startsWith("https://res.cloudinary.com/e2e-cloud/image/upload/");
    assertThat(png.get("urls").get("optimized").asText()).contains("f_auto,q_auto");
    assertThat(jpeg.get("status").asText()).isEqualTo("READY");
    assertThat(pdf.get("status").asText()).isEqualTo("READY");
    assertThat(pdf.get("urls").get("thumbnail").asText()).contains("pg_1");
    assertThat(pdf.get("pages").asInt()).isEqualTo(2);
  }

  @Test
  void rateLimitedUploadIsRetriedUntilCloudinaryTakesIt() throws Exception {
    int before = cloudinary.uploads.size();
    cloudinary.rateLimitNext.set(2);

    JsonNode preview = process("busy.png", "image/png", TestFiles.png(300, 200)).get("preview");

    assertThat(preview.get("status").asText()).isEqualTo("READY");
    assertThat(cloudinary.uploads.size() - before).isEqualTo(3);
  }

  @Test
  void imageCloudinaryRefusesFailsItsPreviewOnly() throws Exception {
    JsonNode attachment = process("broken.png", "image/png", TestFiles.brokenPng());

    assertThat(attachment.get("preview").get("status").asText()).isEqualTo("FAILED");
    assertThat(attachment.get("preview").get("reason").asText()).contains("Invalid image file");
    assertThat(
            client
                .call("GET", "/v1/attachments/" + attachment.get("id").asText() + "/download", null)
                .status())
        .isEqualTo(200);
  }

  @Test
  void videoIsTransformedAsynchronouslyAndTheNotificationSettlesIt() throws Exception {
    byte[] mp4 = TestFiles.mp4();
    assumeTrue(mp4 != null, "ffmpeg is not installed here: no MP4 to upload");

    JsonNode preview = process("clip.mp4", "video/mp4", mp4).get("preview");

    assertThat(preview.get("status").asText()).isEqualTo("READY");
    assertThat(preview.get("urls").get("poster").asText())
        .contains("/video/upload/")
        .endsWith(".jpg");
    assertThat(preview.get("urls").get("video").asText()).contains("vc_h264").endsWith(".mp4");
    assertThat(cloudinary.notifications)
        .anySatisfy(body -> assertThat(body).contains("\"notification_type\":\"eager\""));
  }

  @Test
  void deletingAReleasedImageDestroysItsCloudinaryAssetAndItsFile() throws Exception {
    JsonNode attachment = process("gone.png", "image/png", TestFiles.png(200, 100));
    String id = attachment.get("id").asText();
    assertThat(cloudinary.assets).contains("image/" + id);
    String url =
        client.call("GET", "/v1/attachments/" + id + "/download", null).body().get("url").asText();

    AttachmentsClient.Answer deleted = client.call("DELETE", "/v1/attachments/" + id, null);

    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.body().get("status").asText()).isEqualTo("DELETED");
    assertThat(deleted.body().get("preview").isNull()).as("no preview URL any more").isTrue();
    assertThat(client.call("GET", "/v1/attachments/" + id + "/download", null).status())
        .isEqualTo(409);
    long deadline = System.nanoTime() + PROCESSING.toNanos();
    while ((cloudinary.assets.contains("image/" + id) || client.fetch(url).statusCode() == 200)
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(cloudinary.assets).doesNotContain("image/" + id);
    assertThat(cloudinary.destroyed).contains("image/" + id + " invalidated");
    assertThat(client.fetch(url).statusCode())
        .as("a download URL handed out before finds nothing")
        .isEqualTo(404);
  }
}
