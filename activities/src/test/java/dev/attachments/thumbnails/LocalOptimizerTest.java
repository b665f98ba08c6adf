package dev.attachments.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.testing.RealS3;
import dev.attachments.testing.TestFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalOptimizerTest {
  private static RealS3 s3;
  private static LocalOptimizer optimizer;

  @BeforeAll
  static void start() throws Exception {
    s3 = new RealS3();
    optimizer =
        new LocalOptimizer(
            s3.client,
            s3.presigner,
            RealS3.BUCKETS,
            new LocalOptimizer.Limits(100_000_000L, 64L * 1024 * 1024, Duration.ofSeconds(20)),
            "ffmpeg");
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private static PreviewRequest released(byte[] content, String type) {
    String id = UUID.randomUUID().toString();
    s3.put("released", "acme/" + id, content);
    return new PreviewRequest(id, "acme/" + id, type, "file");
  }

  /** The stored thumbnail, read back as an image a browser would show. */
  private static BufferedImage thumbnail(Preview preview, PreviewRequest request) throws Exception {
    assertThat(preview.status())
        .as(String.valueOf(preview.reason()))
        .isEqualTo(PreviewStatus.READY);
    String key = LocalOptimizer.thumbnailKey(request.objectKey());
    assertThat(preview.urls()).containsEntry(LocalOptimizer.THUMBNAIL, "s3://released/" + key);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(s3.get("released", key)));
    assertThat(image).isNotNull();
    return image;
  }

  @ParameterizedTest
  @CsvSource({
    "png,image/png",
    "jpg,image/jpeg",
    "gif,image/gif",
    "bmp,image/bmp",
    "tiff,image/tiff"
  })
  void imagesGetAThumbnailThatFitsTheEdge(String format, String type) throws Exception {
    PreviewRequest request =
        released(
            format.equals("png") ? TestFiles.png(1600, 900) : TestFiles.image(format, 1600, 900),
            type);

    BufferedImage image = thumbnail(optimizer.optimize(request), request);

    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(180);
  }

  @Test
  void deletingPreviewsDeletesTheThumbnailAndNotTheFile() throws Exception {
    PreviewRequest request = released(TestFiles.png(100, 100), "image/png");
    thumbnail(optimizer.optimize(request), request);

    optimizer.deletePreviews(request);
    optimizer.deletePreviews(request);

    assertThat(s3.exists("released", LocalOptimizer.thumbnailKey(request.objectKey()))).isFalse();
    assertThat(s3.exists("released", request.objectKey()))
        .as("the file itself is the storage step's to delete")
        .isTrue();
  }

  @Test
  void webpIsReadToo() throws Exception {
    PreviewRequest request = released(TestFiles.webp(), "image/webp");

    assertThat(thumbnail(optimizer.optimize(request), request).getWidth()).isEqualTo(1);
  }

  @Test
  void pdfGetsItsFirstPage() throws Exception {
    PreviewRequest request = released(TestFiles.pdf(), "application/pdf");

    BufferedImage image = thumbnail(optimizer.optimize(request), request);

    assertThat(Math.max(image.getWidth(), image.getHeight())).isEqualTo(320);
    // the page is US Letter, portrait
    assertThat(image.getHeight()).isGreaterThan(image.getWidth());
  }

  @Test
  void videoGetsAPosterFrameWhenFfmpegIsInstalled() throws Exception {
    byte[] mp4 = TestFiles.mp4();
    assumeTrue(mp4 != null, "ffmpeg is not installed here");
    PreviewRequest request = released(mp4, "video/mp4");

    BufferedImage image = thumbnail(optimizer.optimize(request), request);

    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(180);
  }

  @Test
  void aVideoShorterThanASecondGetsItsFirstFrameAsPoster() throws Exception {
    byte[] mp4 = TestFiles.shortMp4();
    assumeTrue(mp4 != null, "ffmpeg is not installed here");
    PreviewRequest request = released(mp4, "video/mp4");

    BufferedImage image = thumbnail(optimizer.optimize(request), request);

    assertThat(image.getWidth()).isEqualTo(320);
  }

  @Test
  void videoFfmpegCannotReadFailsWithAReasonThatQuotesNoSignature() {
    assumeTrue(TestFiles.mp4() != null, "ffmpeg is not installed here");

    Preview preview = optimizer.optimize(released("not a video at all".getBytes(), "video/mp4"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(preview.reason())
        .contains(
            "ffmpeg could not read a frame",
            "X-Amz-Signature=REDACTED",
            "X-Amz-Credential=REDACTED")
        .doesNotContainPattern("X-Amz-(Credential|Signature)=(?!REDACTED)");
  }

  @Test
  void videoWithoutFfmpegIsUnsupported() {
    LocalOptimizer withoutFfmpeg =
        new LocalOptimizer(
            s3.client, s3.presigner, RealS3.BUCKETS, LocalOptimizer.Limits.defaults(), null);

    Preview preview = withoutFfmpeg.optimize(released(new byte[100], "video/mp4"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.UNSUPPORTED);
    assertThat(preview.reason()).contains("ffmpeg");
  }

  @Test
  void corruptImageFails() {
    Preview preview = optimizer.optimize(released("not an image at all".getBytes(), "image/png"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(preview.reason()).contains("not an image");
  }

  @Test
  void decompressionBombFailsQuicklyWithoutDecoding() {
    long start = System.nanoTime();

    Preview preview = optimizer.optimize(released(TestFiles.pngBomb(), "image/png"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(preview.reason()).contains("40000x40000");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void malformedPdfFails() {
    Preview preview =
        optimizer.optimize(
            released(
                "%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage".getBytes(), "application/pdf"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(preview.reason()).contains("PDF");
  }

  @Test
  void otherTypesAreUnsupported() {
    Preview preview = optimizer.optimize(released("a,b\n1,2\n".getBytes(), "text/csv"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.UNSUPPORTED);
  }

  @Test
  void fileOverTheSizeLimitIsUnsupported() {
    LocalOptimizer small =
        new LocalOptimizer(
            s3.client,
            s3.presigner,
            RealS3.BUCKETS,
            new LocalOptimizer.Limits(1_000_000, 1000, Duration.ofSeconds(5)),
            null);

    Preview preview = small.optimize(released(TestFiles.png(300, 300), "image/png"));

    assertThat(preview.status()).isEqualTo(PreviewStatus.UNSUPPORTED);
    assertThat(preview.reason()).contains("1000 bytes");
  }

  /**
   * A video whose poster never finishes (an ffmpeg that reads forever from a stalled source): at
   * the render deadline the preview fails and the process is gone, with its render thread.
   */
  @Test
  void anFfmpegThatNeverFinishesIsKilledAtTheDeadline() throws Exception {
    Path pids = Files.createTempFile("ffmpeg-", ".pids");
    Path fake = Files.createTempFile("ffmpeg-", ".sh");
    // what a stalled ffmpeg looks like from outside: a process, and a child of its own, that never
    // end
    Files.writeString(fake, "#!/bin/sh\nsleep 600 &\necho $$ $! > " + pids + "\nwait\n");
    fake.toFile().setExecutable(true);
    Path script = fake.toAbsolutePath();
    LocalOptimizer stalled =
        new LocalOptimizer(
            s3.client,
            s3.presigner,
            RealS3.BUCKETS,
            new LocalOptimizer.Limits(100_000_000L, 64L * 1024 * 1024, Duration.ofSeconds(2)),
            script.toString());

    long begun = System.nanoTime();
    Preview preview = stalled.optimize(released(new byte[1000], "video/mp4"));
    Duration took = Duration.ofNanos(System.nanoTime() - begun);

    assertThat(preview.status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(preview.reason()).contains("longer than");
    assertThat(took).isLessThan(Duration.ofSeconds(10));
    List<Long> started =
        Arrays.stream(Files.readString(pids).trim().split(" ")).map(Long::parseLong).toList();
    assertThat(started).hasSize(2);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (alive(started) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(alive(started)).as("no ffmpeg, and no child of it, left behind").isFalse();
    Files.deleteIfExists(fake);
    Files.deleteIfExists(pids);
  }

  /**
   * A PDF made to render for minutes: at the deadline its render process is killed, nothing of it
   * is left running (no child process, no CPU burnt by a thread of ours afterwards), and the next
   * preview is made on time. In the worker's JVM the render thread went on after the deadline.
   */
  @Test
  void aPdfMadeToRenderForEverIsKilledAtTheDeadlineAndLeavesNothingRunning() throws Exception {
    LocalOptimizer strict =
        new LocalOptimizer(
            s3.client,
            s3.presigner,
            RealS3.BUCKETS,
            new LocalOptimizer.Limits(100_000_000L, 64L * 1024 * 1024, Duration.ofSeconds(3)),
            "ffmpeg");
    PreviewRequest hostile = released(TestFiles.slowPdf(), "application/pdf");

    long begun = System.nanoTime();
    Preview preview = strict.optimize(hostile);
    Duration took = Duration.ofNanos(System.nanoTime() - begun);

    assertThat(preview.status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(preview.reason()).contains("longer than");
    assertThat(took).isLessThan(Duration.ofSeconds(8));
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList())
        .as("no render process left")
        .isEmpty();
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    Thread.sleep(2000);
    assertThat(Duration.ofNanos(os.getProcessCpuTime() - cpuBefore))
        .as("CPU this JVM used in the 2 s after the deadline")
        .isLessThan(Duration.ofMillis(800));

    PreviewRequest next = released(TestFiles.png(800, 600), "image/png");
    long nextBegun = System.nanoTime();
    thumbnail(strict.optimize(next), next);
    assertThat(Duration.ofNanos(System.nanoTime() - nextBegun)).isLessThan(Duration.ofSeconds(3));
  }

  private static boolean alive(List<Long> pids) {
    return pids.stream()
        .anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }
}
