package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Large files on the embedded stack: multipart uploads straight to S3 in parallel parts, resumed
 * after an interruption; the scan over parts; server-side copies in parts. Thresholds are lowered
 * so that files of a few hundred MiB take the paths that multi-gigabyte files take in production.
 */
class LargeFileEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final Duration PROCESSING = Duration.ofMinutes(3);
  private static final Duration UPLOAD_TTL = Duration.ofSeconds(20);
  private static final Set<String> FINAL =
      Set.of("RELEASED", "QUARANTINED", "REJECTED", "EXPIRED", "FAILED");
  private static final int MIB = 1024 * 1024;

  private static EmbeddedStack stack;
  private static AttachmentsClient client;
  private static S3Client s3;

  @BeforeAll
  static void start() throws Exception {
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                Files.createTempDirectory("attachments-large"),
                FreePort.pick(),
                ACME.entry(),
                Map.of(
                    "ATTACHMENTS_MULTIPART_THRESHOLD", Integer.toString(16 * MIB),
                    "ATTACHMENTS_MULTIPART_COPY_THRESHOLD", Integer.toString(64 * MIB),
                    "ATTACHMENTS_COPY_PART_SIZE", Integer.toString(32 * MIB),
                    "ATTACHMENTS_UPLOAD_TTL", UPLOAD_TTL.toSeconds() + "s")));
    client = new AttachmentsClient(stack.apiUrl(), ACME.key());
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

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  private static Map<Integer, String> uploadParts(
      String id, byte[] content, long partSize, List<Integer> numbers, int threads)
      throws Exception {
    return client.uploadParts(id, content, partSize, numbers, threads);
  }

  @Test
  void multipartUploadInParallelPartsResumesAfterAnInterruptionAndDownloadsIdentical()
      throws Exception {
    byte[] content = new byte[300 * MIB + 4321];
    new Random(11).nextBytes(content);
    Movies.headed(content);
    JsonNode created = client.create("footage.mov", "video/quicktime", content.length);
    String id = created.get("id").asText();
    long partSize = created.get("upload").get("partSize").asLong();
    int partCount = created.get("upload").get("partCount").asInt();
    assertThat(created.get("upload").get("mode").asText()).isEqualTo("multipart");

    // the first half goes up, then the client "crashes" and forgets everything
    List<Integer> firstHalf = IntStream.rangeClosed(1, partCount / 2).boxed().toList();
    uploadParts(id, content, partSize, firstHalf, 6);

    // a new client process asks S3 what it holds and uploads only the rest
    Map<Integer, String> held = client.storedParts(id);
    assertThat(held.keySet()).containsExactlyElementsOf(firstHalf);
    List<Integer> missing = new ArrayList<>();
    for (int n = 1; n <= partCount; n++) {
      if (!held.containsKey(n)) {
        missing.add(n);
      }
    }
    uploadParts(id, content, partSize, missing, 6);
    Map<Integer, String> all = client.storedParts(id);
    assertThat(all).hasSize(partCount);
    assertThat(client.completeParts(id, all).status()).isEqualTo(202);

    JsonNode attachment = client.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("RELEASED");
    assertThat(attachment.get("sha256").asText()).isEqualTo(sha256(content));
    String url =
        client.call("GET", "/v1/attachments/" + id + "/download", null).body().get("url").asText();
    HttpResponse<byte[]> download = client.fetch(url);
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(sha256(download.body())).isEqualTo(sha256(content));
    assertThat(s3.listMultipartUploads(b -> b.bucket("attachments-released")).uploads()).isEmpty();
  }

  @Test
  void eicarAsTheLastPartIsQuarantined() throws Exception {
    byte[] eicar = TestFiles.eicar();
    byte[] content = new byte[2 * 8 * MIB + eicar.length];
    new Random(12).nextBytes(content);
    System.arraycopy(eicar, 0, content, 2 * 8 * MIB, eicar.length);
    JsonNode created = client.create("archive.bin", "application/zip", content.length);
    String id = created.get("id").asText();
    int partCount = created.get("upload").get("partCount").asInt();
    assertThat(partCount).isEqualTo(3);

    Map<Integer, String> etags =
        uploadParts(
            id, content, created.get("upload").get("partSize").asLong(), List.of(1, 2, 3), 3);
    assertThat(client.completeParts(id, etags).status()).isEqualTo(202);
    JsonNode attachment = client.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("QUARANTINED");
    assertThat(attachment.get("scan").get("signature").asText()).contains("Eicar-Test-Signature");
    assertThat(client.call("GET", "/v1/attachments/" + id + "/download", null).status())
        .isEqualTo(409);
    assertThat(
            s3.listObjectsV2(b -> b.bucket("attachments-released").prefix("acme/" + id)).keyCount())
        .isZero();
  }

  @Test
  void declaredButWrongDigestIsRejectedWithAReason() throws Exception {
    byte[] content = new byte[20 * MIB];
    new Random(13).nextBytes(content);
    String declared = sha256("something else entirely".getBytes());
    JsonNode created = client.create("data.zip", "application/zip", content.length, declared);
    String id = created.get("id").asText();

    Map<Integer, String> etags =
        uploadParts(
            id, content, created.get("upload").get("partSize").asLong(), List.of(1, 2, 3), 3);
    assertThat(client.completeParts(id, etags).status()).isEqualTo(202);
    JsonNode attachment = client.awaitStatus(id, FINAL, PROCESSING);

    assertThat(attachment.get("status").asText()).isEqualTo("REJECTED");
    assertThat(attachment.get("reason").asText())
        .contains("SHA-256")
        .contains(declared)
        .contains(sha256(content));
    assertThat(client.call("GET", "/v1/attachments/" + id + "/download", null).status())
        .isEqualTo(409);
  }

  @Test
  void expiredMultipartUploadLeavesNothingBehind() throws Exception {
    byte[] content = new byte[17 * MIB];
    JsonNode created = client.create("abandoned.zip", "application/zip", content.length);
    String id = created.get("id").asText();
    uploadParts(id, content, created.get("upload").get("partSize").asLong(), List.of(1), 1);

    JsonNode attachment = client.awaitStatus(id, FINAL, UPLOAD_TTL.plus(PROCESSING));

    assertThat(attachment.get("status").asText()).isEqualTo("EXPIRED");
    assertThat(
            s3.listMultipartUploads(b -> b.bucket("attachments-incoming").prefix("acme/" + id))
                .uploads())
        .isEmpty();
    assertThat(
            s3.listObjectsV2(b -> b.bucket("attachments-incoming").prefix("acme/" + id)).keyCount())
        .isZero();
  }

  /**
   * The owner deletes an upload under way: it is DELETED at once, the multipart upload is aborted
   * (a part sent after that is refused) and a complete is refused; nothing stays in incoming.
   */
  @Test
  void deletingAMultipartUploadUnderWayCancelsIt() throws Exception {
    byte[] content = new byte[17 * MIB];
    JsonNode created = client.create("cancelled.zip", "application/zip", content.length);
    String id = created.get("id").asText();
    long partSize = created.get("upload").get("partSize").asLong();
    uploadParts(id, content, partSize, List.of(1), 1);
    JsonNode part2 = client.presignParts(id, List.of(2)).get(0);

    AttachmentsClient.Answer deleted = client.call("DELETE", "/v1/attachments/" + id, null);

    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.body().get("status").asText()).isEqualTo("DELETED");
    assertThat(client.complete(id).status()).as("a deleted upload is not completed").isEqualTo(409);
    long deadline = System.nanoTime() + PROCESSING.toNanos();
    while (!s3.listMultipartUploads(b -> b.bucket("attachments-incoming").prefix("acme/" + id))
            .uploads()
            .isEmpty()
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(
            s3.listMultipartUploads(b -> b.bucket("attachments-incoming").prefix("acme/" + id))
                .uploads())
        .as("the multipart upload is aborted")
        .isEmpty();
    assertThatThrownBy(
            () ->
                client.uploadPart(
                    part2, content, (int) partSize, (int) (content.length - partSize)))
        .as(
            "a part URL handed out before the deletion uploads into nothing (S3 answers 404"
                + " NoSuchUpload; s3proxy may close the connection before the body is sent)")
        .isInstanceOf(java.io.IOException.class);
    assertThat(
            s3.listObjectsV2(b -> b.bucket("attachments-incoming").prefix("acme/" + id)).keyCount())
        .isZero();
    assertThat(client.call("DELETE", "/v1/attachments/" + id, null).body().get("status").asText())
        .as("harmless to repeat")
        .isEqualTo("DELETED");
    assertThat(client.get(id).body().get("audit").get(0).get("action").asText())
        .isEqualTo("owner-delete");
  }
}
