package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import dev.attachments.workflow.AttachmentRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The built api and worker jars as processes on the embedded stack (Temporal test server, s3proxy,
 * clamd, PostgreSQL), driven over HTTP exactly as an API client would.
 */
class PipelineEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final AccessKeys.Minted GLOBEX = AccessKeys.mint("globex");
  private static final Duration PROCESSING = Duration.ofSeconds(90);

  /** Short, so that an upload that never arrives expires while we watch. */
  private static final Duration UPLOAD_TTL = Duration.ofSeconds(15);

  /** Short, so that the sweep of what a client PUT after the release comes while we watch. */
  private static final Duration UPLOAD_URL_TTL = Duration.ofSeconds(10);

  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");

  private static EmbeddedStack stack;
  private static Path data;
  private static AttachmentsClient acme;
  private static AttachmentsClient globex;
  private static S3Client s3;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("attachments-e2e");
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                ACME.entry() + "," + GLOBEX.entry(),
                Map.of(
                    "ATTACHMENTS_UPLOAD_TTL", UPLOAD_TTL.toSeconds() + "s",
                    "ATTACHMENTS_UPLOAD_URL_TTL", UPLOAD_URL_TTL.toSeconds() + "s")));
    acme = new AttachmentsClient(stack.apiUrl(), ACME.key());
    globex = new AttachmentsClient(stack.apiUrl(), GLOBEX.key());
    s3 = StackS3.client(stack);
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static boolean stored(String bucket, String key) {
    return StackS3.stored(s3, bucket, key);
  }

  private static String uploadAndComplete(
      AttachmentsClient client, String name, String type, byte[] content) throws Exception {
    JsonNode created = client.create(name, type, content.length);
    assertThat(client.upload(created, content)).isEqualTo(200);
    String id = created.get("id").asText();
    assertThat(client.complete(id).status()).isEqualTo(202);
    return id;
  }

  @Test
  void healthSaysTheWorkersScannerGivesVerdicts() throws Exception {
    JsonNode health = null;
    for (int tries = 0;
        tries < 100;
        tries++) { // the worker reports as soon as it runs, then every minute
      health = acme.call("GET", "/health", null).body();
      if (health.at("/scanning/status").asText().equals("OK")) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(health.get("status").asText()).isEqualTo("UP");
    assertThat(health.at("/scanning/status").asText()).as(health.toString()).isEqualTo("OK");
    assertThat(health.at("/scanning/reason").isNull()).as(health.toString()).isTrue();
  }

  @Test
  void cleanPngIsReleasedAndDownloadsByteIdenticalUnderItsName() throws Exception {
    byte[] png = TestFiles.png(640, 480);
    String id = uploadAndComplete(acme, "logo ünïcode.png", "image/png", png);

    JsonNode attachment = acme.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("RELEASED");
    assertThat(attachment.get("scan").get("verdict").asText()).isEqualTo("CLEAN");
    assertThat(attachment.get("scan").get("engine").asText()).startsWith("ClamAV");
    assertThat(attachment.get("sha256").asText())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)));
    assertThat(attachment.get("detectedContentType").asText()).isEqualTo("image/png");
    // the release is published before the preview step runs: a preview never delays a download
    BufferedImage thumbnail = thumbnailOf(id);
    assertThat(thumbnail.getWidth()).isEqualTo(320);
    assertThat(thumbnail.getHeight()).isEqualTo(240);

    AttachmentsClient.Answer download =
        acme.call("GET", "/v1/attachments/" + id + "/download", null);
    assertThat(download.status()).isEqualTo(200);
    HttpResponse<byte[]> file = acme.fetch(download.body().get("url").asText());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.body()).isEqualTo(png);
    assertThat(file.headers().firstValue("Content-Disposition").orElse(""))
        .startsWith("attachment;")
        .contains("filename*=UTF-8''logo%20%C3%BCn%C3%AFcode.png");
    assertThat(stored("attachments-incoming", "acme/" + id)).isFalse();
  }

  /**
   * The attacker's move: upload a clean file, then PUT EICAR of the same length with the same URL
   * again and again while it is processed, and once more after the release.
   */
  @Test
  void bytesPutAgainWithTheUploadUrlAreNeverReleasedAndNeverKept() throws Exception {
    byte[] clean = padded("a clean note ");
    byte[] infected =
        padded(new String(TestFiles.eicar(), java.nio.charset.StandardCharsets.US_ASCII));
    JsonNode created = acme.create("note.txt", "text/plain", clean.length);
    String id = created.get("id").asText();
    assertThat(acme.upload(created, clean)).isEqualTo(200);
    assertThat(acme.complete(id).status()).isEqualTo(202);

    java.util.List<Integer> answers = new java.util.ArrayList<>();
    JsonNode attachment = acme.get(id).body();
    long deadline = System.nanoTime() + PROCESSING.toNanos();
    while (!FINAL.contains(attachment.get("status").asText()) && System.nanoTime() < deadline) {
      answers.add(acme.upload(created, infected));
      attachment = acme.get(id).body();
    }
    answers.add(acme.upload(created, infected)); // after the release, with the URL still valid

    assertThat(attachment.get("status").asText()).isEqualTo("RELEASED");
    assertThat(attachment.get("sha256").asText()).isEqualTo(sha256(clean));
    AttachmentsClient.Answer download =
        acme.call("GET", "/v1/attachments/" + id + "/download", null);
    assertThat(acme.fetch(download.body().get("url").asText()).body())
        .as("the scanned bytes")
        .isEqualTo(clean);
    assertThat(answers)
        .as("S3 refuses a second PUT while the first is there (If-None-Match)")
        .contains(412);
    assertThat(answers).as("once the upload was held, a PUT lands again").contains(200);
    assertThat(stored("attachments-incoming", "acme/" + id)).isTrue();

    // the workflow sweeps incoming once the last URL it handed out has expired (plus its margin for
    // clocks)
    long sweptBy = System.nanoTime() + UPLOAD_URL_TTL.plusSeconds(60).toNanos();
    while (stored("attachments-incoming", "acme/" + id) && System.nanoTime() < sweptBy) {
      Thread.sleep(500);
    }
    assertThat(stored("attachments-incoming", "acme/" + id))
        .as("nothing the late PUT left stays")
        .isFalse();
    assertThat(acme.upload(created, infected)).as("the URL has expired").isEqualTo(403);
  }

  @Test
  void uploadCarryingAContentEncodingNobodyAskedForIsRejected() throws Exception {
    byte[] png = TestFiles.png(64, 64);
    JsonNode created = acme.create("logo.png", "image/png", png.length);
    String id = created.get("id").asText();
    assertThat(acme.upload(created, png, Map.of("Content-Encoding", "br")))
        .as("S3 stores what it was not asked for")
        .isEqualTo(200);
    assertThat(acme.complete(id).status()).isEqualTo(202);

    JsonNode attachment = acme.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("REJECTED");
    assertThat(attachment.get("reason").asText()).contains("Content-Encoding: br");
    assertThat(acme.call("GET", "/v1/attachments/" + id + "/download", null).status())
        .isEqualTo(409);
    assertThat(stored("attachments-released", "acme/" + id)).isFalse();
  }

  /** 64 KiB that begin with {@code text}: files of one length whatever the text. */
  private static byte[] padded(String text) {
    byte[] content = new byte[64 * 1024];
    java.util.Arrays.fill(content, (byte) ' ');
    byte[] head = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, content, 0, head.length);
    return content;
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  /** Waits for the preview, fetches its presigned URL as a browser would, and decodes it. */
  private static BufferedImage thumbnailOf(String id) throws Exception {
    JsonNode preview = acme.awaitPreview(id, PROCESSING).get("preview");
    assertThat(preview.get("status").asText()).as(preview.toString()).isEqualTo("READY");
    HttpResponse<byte[]> file = acme.fetch(preview.get("urls").get("thumbnail").asText());
    assertThat(file.statusCode()).isEqualTo(200);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(file.body()));
    assertThat(image).isNotNull();
    return image;
  }

  /**
   * ffmpeg quotes the presigned URL it was given when it cannot read a video; none of that may
   * reach the reason a client reads, the workflow history operators read, or a log line.
   */
  @Test
  void noReasonHistoryOrLogLineQuotesASignatureOrASecret() throws Exception {
    assumeTrue(TestFiles.mp4() != null, "ffmpeg is not installed here");
    String id = uploadAndComplete(acme, "clip.mp4", "video/mp4", Movies.headed(new byte[4096]));

    JsonNode preview = acme.awaitPreview(id, PROCESSING).get("preview");

    assertThat(preview.get("status").asText()).as(preview.toString()).isEqualTo("FAILED");
    assertThat(preview.get("reason").asText())
        .contains("ffmpeg could not read a frame", "X-Amz-Signature=REDACTED");
    String history;
    WorkflowServiceStubs temporal =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalTarget()).build());
    try {
      history =
          WorkflowClient.newInstance(temporal)
              .fetchHistory(AttachmentRequest.workflowId(id))
              .toString();
    } finally {
      temporal.shutdown();
    }
    Map<String, String> texts =
        Map.of(
            "the attachment", acme.get(id).body().toString(),
            "its history", history,
            "the worker's log", Files.readString(data.resolve("logs/worker.log")),
            "the API's log", Files.readString(data.resolve("logs/api.log")));
    texts.forEach(
        (where, text) ->
            assertThat(text)
                .as(where)
                .doesNotContainPattern("(?i)X-Amz-Signature=[0-9a-f]{8}")
                .doesNotContainPattern("(?i)X-Amz-Credential=attachments-dev")
                .doesNotContain(stack.s3().secretKey(), ACME.key()));
    assertThat(history)
        .as("the reason is in the history, scrubbed")
        .contains("X-Amz-Signature=REDACTED");
  }

  @Test
  void jpegPdfAndVideoEachGetAPreviewAClientCanDownload() throws Exception {
    String jpeg =
        uploadAndComplete(acme, "photo.jpg", "image/jpeg", TestFiles.image("jpg", 2000, 1000));
    String pdf = uploadAndComplete(acme, "brief.pdf", "application/pdf", TestFiles.pdf());
    byte[] mp4 = TestFiles.mp4();
    String video = mp4 == null ? null : uploadAndComplete(acme, "clip.mp4", "video/mp4", mp4);

    assertThat(thumbnailOf(jpeg).getWidth()).isEqualTo(320);
    assertThat(thumbnailOf(pdf).getHeight()).isEqualTo(320);
    assumeTrue(video != null, "ffmpeg is not installed here: no video poster to check");
    assertThat(thumbnailOf(video).getWidth()).isEqualTo(320);
  }

  /**
   * Files that are not what they claim end REJECTED with both types in the reason, and honest files
   * of every kind a strict check could break are RELEASED and downloaded as their declared type.
   */
  @Test
  void disguisedFilesAreRejectedAndHonestOnesOfEveryKindAreReleasedAsDeclared() throws Exception {
    String docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    String xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Map<String, String> disguised =
        Map.of(
            uploadAndComplete(acme, "logo.png", "image/png", TestFiles.executable()),
            "application/x-",
            uploadAndComplete(
                acme,
                "banner.png",
                "image/png",
                "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
                    .getBytes()),
            "text/html",
            uploadAndComplete(
                acme,
                "icon.png",
                "image/png",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                    .getBytes()),
            "image/svg+xml",
            uploadAndComplete(acme, "notes.txt", "text/plain", TestFiles.pdf()),
            "application/pdf");
    byte[] mp4 = TestFiles.mp4();
    byte[] mp3 = TestFiles.mp3();
    assumeTrue(mp4 != null && mp3 != null, "ffmpeg is not installed here");
    Map<String, String> honest = new java.util.LinkedHashMap<>();
    honest.put(
        uploadAndComplete(acme, "logo.png", "image/png", TestFiles.png(40, 30)), "image/png");
    honest.put(
        uploadAndComplete(acme, "photo.jpg", "image/jpg", TestFiles.image("jpg", 60, 40)),
        "image/jpeg");
    honest.put(
        uploadAndComplete(
            acme,
            "report.docx",
            docx,
            TestFiles.ooxml(
                "word/document.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")),
        docx);
    honest.put(
        uploadAndComplete(
            acme,
            "figures.xlsx",
            xlsx,
            TestFiles.ooxml(
                "xl/workbook.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")),
        xlsx);
    honest.put(
        uploadAndComplete(acme, "orders.csv", "text/csv", "sku,qty\nA-1,3\nB-2,5\n".getBytes()),
        "text/csv");
    honest.put(uploadAndComplete(acme, "clip.mp4", "video/mp4", mp4), "video/mp4");
    honest.put(uploadAndComplete(acme, "tone.mp3", "audio/mpeg", mp3), "audio/mpeg");
    honest.put(
        uploadAndComplete(
            acme, "readme.txt", "text/plain", "Plain words, nothing more.\n".getBytes()),
        "text/plain");
    honest.put(
        uploadAndComplete(
            acme,
            "bundle.zip",
            "application/zip",
            TestFiles.zipped("notes.txt", "hello".getBytes())),
        "application/zip");

    disguised.forEach(
        (id, shown) -> {
          JsonNode attachment = awaitFinal(id);
          assertThat(attachment.get("status").asText())
              .as(attachment.toString())
              .isEqualTo("REJECTED");
          assertThat(attachment.get("reason").asText()).contains("declared ", shown);
          assertThat(attachment.get("detectedContentType").asText()).startsWith(shown);
        });
    for (Map.Entry<String, String> file : honest.entrySet()) {
      JsonNode attachment = awaitFinal(file.getKey());
      assertThat(attachment.get("status").asText()).as(attachment.toString()).isEqualTo("RELEASED");
      HttpResponse<byte[]> download =
          acme.fetch(
              acme.call("GET", "/v1/attachments/" + file.getKey() + "/download", null)
                  .body()
                  .get("url")
                  .asText());
      assertThat(download.headers().firstValue("Content-Type")).hasValue(file.getValue());
    }
  }

  @Test
  void namesThatHideWhatAFileIsAreRefusedAtCreation() throws Exception {
    for (String name : List.of("invoice\u202Efdp.exe", "logo\u200D.png", "brief.pdf.exe")) {
      AttachmentsClient.Answer answer =
          acme.call(
              "POST",
              "/v1/attachments",
              "{\"filename\":\"" + name + "\",\"contentType\":\"application/pdf\",\"size\":10}");
      assertThat(answer.status()).as(name).isEqualTo(400);
      assertThat(answer.body().get("detail").asText()).containsAnyOf("U+202E", "U+200D", ".exe");
    }
  }

  private static JsonNode awaitFinal(String id) {
    try {
      return acme.awaitStatus(id, FINAL, PROCESSING);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void corruptImageAndDecompressionBombFailTheirPreviewButAreReleasedAndTheWorkerCarriesOn()
      throws Exception {
    String corrupt = uploadAndComplete(acme, "broken.png", "image/png", TestFiles.brokenPng());
    String bomb = uploadAndComplete(acme, "bomb.png", "image/png", TestFiles.pngBomb());

    for (String id : List.of(corrupt, bomb)) {
      JsonNode attachment = acme.awaitPreview(id, PROCESSING);
      assertThat(attachment.get("status").asText()).isEqualTo("RELEASED");
      assertThat(attachment.get("preview").get("status").asText()).isEqualTo("FAILED");
      assertThat(attachment.get("preview").get("reason").asText()).isNotBlank();
      assertThat(acme.call("GET", "/v1/attachments/" + id + "/download", null).status())
          .isEqualTo(200);
    }
    String after = uploadAndComplete(acme, "after.png", "image/png", TestFiles.png(100, 50));
    assertThat(thumbnailOf(after).getWidth()).isEqualTo(100);
  }

  @Test
  void eicarIsQuarantinedAndNeverDownloadable() throws Exception {
    String id = uploadAndComplete(acme, "eicar.com.txt", "text/plain", TestFiles.eicar());

    JsonNode attachment = acme.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("QUARANTINED");
    assertThat(attachment.get("scan").get("verdict").asText()).isEqualTo("INFECTED");
    assertThat(attachment.get("scan").get("signature").asText()).contains("Eicar-Test-Signature");
    AttachmentsClient.Answer download =
        acme.call("GET", "/v1/attachments/" + id + "/download", null);
    assertThat(download.status()).isEqualTo(409);
    assertThat(download.body().get("detail").asText()).contains("QUARANTINED");
    assertThat(stored("attachments-released", "acme/" + id)).isFalse();
    assertThat(stored("attachments-incoming", "acme/" + id)).isFalse();
    assertThat(stored("attachments-quarantine", "acme/" + id)).isTrue();
  }

  @Test
  void zippedEicarIsQuarantinedToo() throws Exception {
    String id =
        uploadAndComplete(
            acme,
            "invoice.zip",
            "application/zip",
            TestFiles.zipped("invoice.pdf", TestFiles.eicar()));

    JsonNode attachment = acme.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("QUARANTINED");
    assertThat(stored("attachments-released", "acme/" + id)).isFalse();
  }

  @Test
  void anotherOwnerSeesNothingOfIt() throws Exception {
    String id = uploadAndComplete(acme, "private.png", "image/png", TestFiles.png(32, 32));
    acme.awaitStatus(id, FINAL, PROCESSING);

    assertThat(globex.get(id).status()).isEqualTo(404);
    assertThat(globex.call("GET", "/v1/attachments/" + id + "/download", null).status())
        .isEqualTo(404);
    assertThat(globex.complete(id).status()).isEqualTo(404);
    assertThat(
            globex.call("GET", "/v1/attachments", null).body().get("items").findValuesAsText("id"))
        .doesNotContain(id);
  }

  @Test
  void uploadThatNeverArrivesExpiresAndCannotBeCompleted() throws Exception {
    String id = acme.create("never.pdf", "application/pdf", 1000).get("id").asText();

    JsonNode attachment = acme.awaitStatus(id, FINAL, UPLOAD_TTL.plus(PROCESSING));

    assertThat(attachment.get("status").asText()).isEqualTo("EXPIRED");
    AttachmentsClient.Answer complete = acme.complete(id);
    assertThat(complete.status()).isEqualTo(409);
    assertThat(complete.body().get("detail").asText()).contains("expired");
  }

  @Test
  void uploadWhoseClientNeverCallsCompleteIsStillProcessed() throws Exception {
    byte[] png = TestFiles.png(48, 48);
    JsonNode created = acme.create("forgetful.png", "image/png", png.length);
    assertThat(acme.upload(created, png)).isEqualTo(200);

    JsonNode attachment = acme.awaitStatus(created.get("id").asText(), FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("RELEASED");
  }

  @Test
  void listingShowsTheOwnersAttachmentsNewestFirst() throws Exception {
    String older = acme.create("a.txt", "text/plain", 1).get("id").asText();
    String newer = acme.create("b.txt", "text/plain", 1).get("id").asText();

    JsonNode items =
        acme.call("GET", "/v1/attachments?status=AWAITING_UPLOAD&limit=100", null)
            .body()
            .get("items");

    assertThat(items.findValuesAsText("id")).containsSubsequence(newer, older);
  }
}
