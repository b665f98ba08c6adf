package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code attachments} command (cli/target/attachments-cli.jar) as a user runs it, against the
 * embedded stack: upload with --wait and its exit codes, status, download, list, delete; a
 * multipart upload killed halfway and resumed from the parts the server holds; an upload token.
 */
class CliEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final int MIB = 1024 * 1024;

  private static EmbeddedStack stack;
  private static Path data;
  private static Path work;
  private static AttachmentsClient client;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("attachments-cli");
    work = Files.createDirectories(data.resolve("work"));
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                ACME.entry(),
                Map.of("ATTACHMENTS_MULTIPART_THRESHOLD", Integer.toString(16 * MIB))));
    client = new AttachmentsClient(stack.apiUrl(), ACME.key());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  record Run(int exit, String out, String err) {}

  private static Process launch(String key, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("java", "-jar", "cli/target/attachments-cli.jar"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("ATTACHMENTS_API", stack.apiUrl().toString());
    builder.environment().put("ATTACHMENTS_KEY", key);
    builder.environment().put("XDG_CACHE_HOME", data.resolve("cache").toString());
    return builder
        .redirectOutput(work.resolve("out.txt").toFile())
        .redirectError(work.resolve("err.txt").toFile())
        .start();
  }

  private static Run cli(String key, String... args) throws Exception {
    Process process = launch(key, args);
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    Run run =
        new Run(
            process.exitValue(),
            Files.readString(work.resolve("out.txt")),
            Files.readString(work.resolve("err.txt")));
    System.out.println("attachments " + String.join(" ", args) + " -> " + run);
    return run;
  }

  @Test
  void aFileUploadedWithWaitIsReleasedAndDownloadsAsItWas() throws Exception {
    Path png = Files.write(work.resolve("logo.png"), TestFiles.png(120, 80));
    Run upload = cli(ACME.key(), "upload", "--wait", png.toString());
    assertThat(upload.exit()).as(upload.err()).isZero();
    assertThat(upload.out()).matches("(?s)[0-9a-f-]{36} RELEASED logo\\.png\\s*");
    String id = upload.out().substring(0, 36);

    Run status = cli(ACME.key(), "status", id);
    assertThat(status.out()).startsWith(id + " RELEASED logo.png").contains("CLEAN");
    assertThat(cli(ACME.key(), "list").out()).contains(id + " RELEASED");

    Path copy = work.resolve("copy.png");
    Run download = cli(ACME.key(), "download", id, "-o", copy.toString());
    assertThat(download.exit()).as(download.err()).isZero();
    assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(png));
    Run again = cli(ACME.key(), "download", id, "-o", copy.toString());
    assertThat(again.exit()).as("never over a file").isEqualTo(1);

    Run delete = cli(ACME.key(), "delete", id);
    assertThat(delete.exit()).as(delete.err()).isZero();
    assertThat(delete.out()).startsWith(id + " DELETED logo.png");
    assertThat(cli(ACME.key(), "delete", id).exit()).as("harmless to repeat").isZero();
    Run gone = cli(ACME.key(), "download", id, "-o", work.resolve("gone.png").toString());
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).contains("409", "DELETED");
  }

  @Test
  void eicarEndsQuarantinedAndTheExitCodeSaysSo() throws Exception {
    Path eicar = Files.write(work.resolve("notes.txt"), TestFiles.eicar());
    Run upload = cli(ACME.key(), "upload", "--wait", eicar.toString());
    assertThat(upload.exit()).as(upload.err()).isEqualTo(3);
    assertThat(upload.out()).contains(" QUARANTINED notes.txt");
    Run bad = cli(ACME.key(), "upload", work.resolve("missing.bin").toString());
    assertThat(bad.exit()).isEqualTo(2);
    Run refused = cli("att_000000000000_" + "A".repeat(43), "list");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("401");
  }

  /**
   * Killed after two of its five parts, the same command again uploads only the other three and the
   * file is released whole.
   */
  @Test
  void aMultipartUploadKilledHalfwayResumesFromTheServersParts() throws Exception {
    // text, so that its scan finds it of the type declared
    byte[] content = new byte[36 * MIB + 12345];
    Random random = new Random(15);
    for (int i = 0; i < content.length; i++) {
      content[i] = i % 80 == 79 ? (byte) '\n' : (byte) ('a' + random.nextInt(26));
    }
    Path file = Files.write(work.resolve("archive.txt"), content);
    Process first =
        launch(
            ACME.key(),
            "upload",
            "--parallel",
            "1",
            "--limit-rate",
            Integer.toString(8 * MIB),
            file.toString());
    String id = awaitAttachmentId();
    Instant giveUp = Instant.now().plusSeconds(30);
    while (client.call("GET", "/v1/attachments/" + id + "/parts", null).body().get("parts").size()
        < 2) {
      assertThat(Instant.now()).isBefore(giveUp);
      Thread.sleep(50);
    }
    first.destroyForcibly().waitFor();

    Run resumed = cli(ACME.key(), "upload", "--wait", file.toString());
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.err()).containsPattern("archive\\.txt: [234] of 5 parts already stored");
    assertThat(resumed.out()).startsWith(id + " RELEASED archive.txt");
    var attachment = client.get(id).body();
    assertThat(attachment.get("sha256").asText())
        .isEqualTo(
            java.util.HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
  }

  private static String awaitAttachmentId() throws Exception {
    Path resumes = data.resolve("cache").resolve("attachments").resolve("cli-uploads");
    Instant giveUp = Instant.now().plusSeconds(30);
    while (true) {
      if (Files.isDirectory(resumes)) {
        try (Stream<Path> entries = Files.list(resumes)) {
          for (Path entry : entries.filter(p -> p.toString().endsWith(".json")).toList()) {
            return new ObjectMapper().readTree(entry.toFile()).get("id").asText();
          }
        }
      }
      assertThat(Instant.now()).isBefore(giveUp);
      Thread.sleep(50);
    }
  }

  @Test
  void anUploadTokenUploadsButCannotList() throws Exception {
    String token =
        client
            .call("POST", "/v1/upload-tokens", "{\"maxUploads\":1,\"types\":[\"image/*\"]}")
            .body()
            .get("token")
            .asText();
    Path png = Files.write(work.resolve("avatar.png"), TestFiles.png(64, 64));
    Run upload = cli(token, "upload", "--wait", png.toString());
    assertThat(upload.exit()).as(upload.err()).isZero();
    assertThat(upload.out()).contains(" RELEASED avatar.png");
    Run list = cli(token, "list");
    assertThat(list.exit()).isEqualTo(1);
    assertThat(list.err()).contains("403");
    Run delete = cli(token, "delete", upload.out().substring(0, 36));
    assertThat(delete.exit()).as("deleting is the owner's, with its API key").isEqualTo(1);
    assertThat(delete.err()).contains("403");
  }
}
