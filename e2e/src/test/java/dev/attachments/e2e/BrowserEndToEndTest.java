package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import dev.attachments.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser uploader (web/) in Debian's headless Chromium, driven by puppeteer-core through the
 * demo page served from another origin (web/test/browser.mjs): a small image released with its
 * preview, a multipart file, a reload in the middle that resumes from the stored parts, the Uppy
 * plugin, EICAR quarantined. Each with an upload token, never the API key.
 */
class BrowserEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final int MIB = 1024 * 1024;

  private static EmbeddedStack stack;
  private static Path data;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("attachments-browser");
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                ACME.entry(),
                Map.of("ATTACHMENTS_MULTIPART_THRESHOLD", Integer.toString(16 * MIB))));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theUploaderWorksInChromium() throws Exception {
    // into a file, never inherited: the test JVM's own streams are surefire's channel
    Path built = data.resolve("web-build.log");
    Process build =
        new ProcessBuilder("scripts/web")
            .redirectErrorStream(true)
            .redirectOutput(built.toFile())
            .start();
    assertThat(build.waitFor(5, TimeUnit.MINUTES)).as("scripts/web finished").isTrue();
    assertThat(build.exitValue()).as(Files.readString(built)).isZero();

    ProcessBuilder node = new ProcessBuilder(List.of("node", "web/test/browser.mjs"));
    node.environment().put("ATTACHMENTS_API", stack.apiUrl().toString());
    node.environment().put("ATTACHMENTS_KEY", ACME.key());
    node.environment()
        .put("TEST_PNG_BASE64", Base64.getEncoder().encodeToString(TestFiles.png(160, 120)));
    Path log = data.resolve("browser.log");
    Process run = node.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(run.waitFor(6, TimeUnit.MINUTES)).as("the browser tests finished").isTrue();
    String output = Files.readString(log);
    System.out.println(output);
    assertThat(run.exitValue()).as(output).isZero();
    assertThat(output.lines().filter(line -> line.startsWith("PASS "))).hasSize(5);
  }
}
