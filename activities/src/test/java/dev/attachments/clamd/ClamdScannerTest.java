package dev.attachments.clamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.stack.LocalClamd;
import dev.attachments.testing.RealS3;
import dev.attachments.testing.TestFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClamdScannerTest {
  private static RealS3 s3;
  private static LocalClamd clamd;

  /** A second clamd that takes streams of at most 1 MiB, to show what happens beyond the limits. */
  private static LocalClamd smallClamd;

  private TestActivityEnvironment env;
  private SimpleMeterRegistry meters;

  @BeforeAll
  static void start() throws Exception {
    s3 = new RealS3();
    clamd = LocalClamd.start(Files.createTempDirectory("clamd"));
    smallClamd = LocalClamd.start(Files.createTempDirectory("clamd-small"), "1M");
  }

  @AfterAll
  static void stop() throws Exception {
    smallClamd.close();
    clamd.close();
    s3.close();
  }

  @BeforeEach
  void environment() {
    meters = new SimpleMeterRegistry();
    env = TestActivityEnvironment.newInstance();
  }

  @AfterEach
  void closeEnvironment() {
    env.close();
  }

  /** clamd-scanning.conf's StreamMaxLength (2047M), and the small clamd's. */
  private static final long MAX_STREAM = 2047L * 1024 * 1024;

  private static final long SMALL_STREAM = 1024 * 1024;

  private ScannerActivities scanner(LocalClamd target) {
    return scanner(target.port(), target == smallClamd ? SMALL_STREAM : MAX_STREAM);
  }

  private ScannerActivities scanner(int port) {
    return scanner(port, MAX_STREAM);
  }

  private static ClamdScanner clamdScanner(LocalClamd target, long largestScan) {
    return new ClamdScanner(
        s3.client,
        RealS3.BUCKETS,
        new ClamdClient(
            "127.0.0.1", target.port(), Duration.ofSeconds(1), Duration.ofSeconds(3), 64 * 1024),
        largestScan,
        null,
        new SimpleMeterRegistry());
  }

  private ScannerActivities scanner(int port, long largestScan) {
    ClamdClient client =
        new ClamdClient("127.0.0.1", port, Duration.ofSeconds(1), Duration.ofSeconds(3), 64 * 1024);
    env.registerActivitiesImplementations(
        new ClamdScanner(s3.client, RealS3.BUCKETS, client, largestScan, null, meters));
    return env.newActivityStub(
        ScannerActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
  }

  private static String upload(byte[] content) {
    String key = "acme/" + UUID.randomUUID();
    s3.put("incoming", key, content);
    return key;
  }

  @Test
  void cleanImageIsCleanWithItsDigestAndType() throws Exception {
    byte[] png = TestFiles.png(64, 64);

    ScanResult result = scanner(clamd).scan(upload(png));

    assertThat(result.verdict()).isEqualTo(ScanVerdict.CLEAN);
    assertThat(result.signature()).isNull();
    assertThat(result.sha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)));
    assertThat(result.detectedContentType()).isEqualTo("image/png");
    assertThat(result.scannedBytes()).isEqualTo(png.length);
    assertThat(result.engine()).startsWith("ClamAV");
  }

  @Test
  void eicarIsInfectedWithItsSignatureName() {
    ScanResult result = scanner(clamd).scan(upload(TestFiles.eicar()));

    assertThat(result.verdict()).isEqualTo(ScanVerdict.INFECTED);
    assertThat(result.signature()).contains("Eicar-Test-Signature");
  }

  @Test
  void eachScanIsCountedWithItsSecondsBytesAndWhatItFound() throws Exception {
    byte[] png = TestFiles.png(64, 64);
    ScannerActivities scanner = scanner(clamd);
    scanner.scan(upload(png));
    scanner.scan(upload(TestFiles.eicar()));
    scanner.scan(upload(ClamdProbe.encrypted(TestFiles.zipped("invoice.txt", TestFiles.eicar()))));
    env.close();
    env = TestActivityEnvironment.newInstance();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String key = upload(png);
    ScannerActivities down = scanner(closedPort);
    assertThatThrownBy(() -> down.scan(key)).isInstanceOf(ActivityFailure.class);

    assertThat(verdicts("CLEAN", "none")).isEqualTo(1);
    assertThat(verdicts("INFECTED", "signature")).isEqualTo(1);
    assertThat(verdicts("UNSCANNABLE", "encrypted")).isEqualTo(1);
    assertThat(meters.get("attachments.scan.duration").tag("verdict", "none").timer().count())
        .as("an attempt without a verdict")
        .isEqualTo(1);
    assertThat(meters.get("attachments.scan.duration").tag("verdict", "CLEAN").timer().count())
        .isEqualTo(1);
    var size = meters.get("attachments.scan.size").summary();
    assertThat(size.count()).isEqualTo(3);
    assertThat(size.max()).isGreaterThanOrEqualTo(png.length);
  }

  private double verdicts(String verdict, String finding) {
    var counter =
        meters
            .find("attachments.scan.verdicts")
            .tag("verdict", verdict)
            .tag("finding", finding)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void eicarInsideAZipIsInfected() {
    ScanResult result =
        scanner(clamd).scan(upload(TestFiles.zipped("readme.txt", TestFiles.eicar())));

    assertThat(result.verdict()).isEqualTo(ScanVerdict.INFECTED);
  }

  @Test
  void eicarPastTheFirstChunkIsFound() {
    byte[] content = new byte[300 * 1024 + TestFiles.eicar().length];
    new Random(7).nextBytes(content);
    System.arraycopy(TestFiles.eicar(), 0, content, 300 * 1024, TestFiles.eicar().length);

    ScanResult result = scanner(clamd).scan(upload(content));

    assertThat(result.verdict()).isEqualTo(ScanVerdict.INFECTED);
  }

  @Test
  void fileOverTheScannersLimitIsUnscannableNeverClean() throws Exception {
    byte[] content = new byte[2 * 1024 * 1024];
    new Random(1).nextBytes(content);

    ClamdClient client =
        new ClamdClient(
            "127.0.0.1",
            smallClamd.port(),
            Duration.ofSeconds(1),
            Duration.ofSeconds(3),
            64 * 1024);

    ClamdClient.Reply reply = client.scan(new ByteArrayInputStream(content), sent -> {});

    assertThat(ClamdScanner.verdict(reply)).isEqualTo(ScanVerdict.UNSCANNABLE);
    assertThat(reply.line()).containsIgnoringCase("size limit exceeded");
  }

  @Test
  void fileOverTheConfiguredLimitIsUnscannableWithoutStreamingIt() {
    byte[] content = new byte[3 * 1024 * 1024];

    ScanResult result = scanner(smallClamd).scan(upload(content));

    assertThat(result.verdict()).isEqualTo(ScanVerdict.UNSCANNABLE);
    assertThat(result.signature()).contains("3145728 bytes").contains("1048576");
    assertThat(result.scannedBytes()).isZero();
    assertThat(result.sha256()).isNull();
  }

  @Test
  void scannerDownFailsTheAttemptSoItIsRetried() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    ScannerActivities scanner = scanner(closedPort);
    String key = upload(TestFiles.png(8, 8));

    assertThatThrownBy(() -> scanner.scan(key))
        .isInstanceOf(ActivityFailure.class)
        .hasStackTraceContaining("is unreachable");
  }

  /** What a stand-in clamd does with the one connection it takes. */
  private interface Conversation {
    void with(Socket connection) throws Exception;
  }

  /**
   * A stand-in clamd that takes one connection, in the background, and holds it as {@code
   * conversation} says.
   */
  /** A zip of {@code count} text entries, entry i holding {@code content.apply(i)}. */
  private static byte[] zipOf(int count, java.util.function.IntFunction<String> content)
      throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
      for (int i = 0; i < count; i++) {
        zip.putNextEntry(new java.util.zip.ZipEntry("part-" + i + ".txt"));
        zip.write(content.apply(i).getBytes());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static void serveOnce(ServerSocket socket, Conversation conversation) {
    Thread server =
        new Thread(
            () -> {
              try (Socket connection = socket.accept()) {
                conversation.with(connection);
              } catch (Exception e) {
                // the test is over
              }
            });
    server.setDaemon(true);
    server.start();
  }

  /** A clamd that takes the connection and then neither reads nor answers. */
  private static void acceptAndIgnore(ServerSocket socket) {
    serveOnce(socket, connection -> Thread.sleep(30_000));
  }

  @Test
  void clamdThatNeverAnswersTimesOutInsteadOfHanging() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      acceptAndIgnore(silent);
      ClamdClient client =
          new ClamdClient(
              "127.0.0.1",
              silent.getLocalPort(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              1024);
      long start = System.nanoTime();

      assertThatThrownBy(() -> client.scan(new ByteArrayInputStream(new byte[10]), sent -> {}))
          .hasMessageContaining("did not answer");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void clamdThatStopsReadingIsCutOffInsteadOfHanging() throws Exception {
    try (ServerSocket stalled = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      acceptAndIgnore(stalled);
      ClamdClient client =
          new ClamdClient(
              "127.0.0.1",
              stalled.getLocalPort(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              64 * 1024);
      long start = System.nanoTime();

      // far more than the socket buffers hold, so the writes block once clamd stops reading
      assertThatThrownBy(
              () -> client.scan(new ByteArrayInputStream(new byte[64 * 1024 * 1024]), sent -> {}))
          .isInstanceOf(java.io.IOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void encryptedZipHoldingEicarIsNeverClean() {
    ScanResult result =
        scanner(clamd)
            .scan(upload(ClamdProbe.encrypted(TestFiles.zipped("invoice.txt", TestFiles.eicar()))));

    assertThat(result.verdict()).isEqualTo(ScanVerdict.UNSCANNABLE);
    assertThat(result.signature()).startsWith("Heuristics.Encrypted");
  }

  /**
   * How long clamd takes depends on how busy it is: a file it ran out of time on is scanned again,
   * and only a third such answer makes it UNSCANNABLE. A clamd allowed 1 ms per file stands for one
   * flooded by others.
   */
  @Test
  void runningOutOfScanTimeIsRetriedBeforeItCountsAsAVerdict() throws Exception {
    try (LocalClamd hurried =
        LocalClamd.start(Files.createTempDirectory("clamd-hurried"), List.of("MaxScanTime 1"))) {
      byte[] zip = zipOf(2000, i -> ("line " + i + "\n").repeat(200));
      String key = upload(zip);

      assertThatThrownBy(() -> scanner(hurried).scan(key))
          .as("the first answer is no verdict")
          .isInstanceOf(ActivityFailure.class)
          .hasStackTraceContaining("ran out of time");

      // Temporal's retry policy makes the next attempts: the workflow's, on the test server
      try (dev.attachments.testing.WorkflowOnRealParts workflow =
          new dev.attachments.testing.WorkflowOnRealParts(
              new dev.attachments.s3.S3Storage(s3.client, RealS3.BUCKETS),
              clamdScanner(hurried, MAX_STREAM))) {
        dev.attachments.workflow.AttachmentRequest request =
            workflow.request(zip.length, Duration.ofMinutes(5), "application/zip");
        dev.attachments.workflow.AttachmentWorkflow run = workflow.start(request);
        s3.put("incoming", request.objectKey(), zip, "application/zip");
        run.uploadCompleted();

        dev.attachments.workflow.AttachmentState state =
            io.temporal.client.WorkflowStub.fromTyped(run)
                .getResult(dev.attachments.workflow.AttachmentState.class);

        assertThat(state.status()).isEqualTo(dev.attachments.workflow.AttachmentStatus.QUARANTINED);
        assertThat(state.scan().signature()).isEqualTo("Heuristics.Limits.Exceeded.MaxScanTime");
      }
    }
  }

  @Test
  void archivePastTheFileCountLimitIsNeverClean() throws Exception {
    try (LocalClamd fewFiles =
        LocalClamd.start(Files.createTempDirectory("clamd-few"), List.of("MaxFiles 3"))) {
      byte[] zip = zipOf(6, i -> "harmless part " + i);
      ClamdClient client =
          new ClamdClient(
              "127.0.0.1",
              fewFiles.port(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(3),
              64 * 1024);

      ClamdClient.Reply reply = client.scan(new ByteArrayInputStream(zip), sent -> {});

      assertThat(ClamdScanner.verdict(reply)).isEqualTo(ScanVerdict.UNSCANNABLE);
      assertThat(reply.detail()).isEqualTo("Heuristics.Limits.Exceeded.MaxFiles");
    }
  }

  @Test
  void onlyAnswersAboutTheFileAreVerdictsOtherErrorsAreRetried() throws Exception {
    assertThat(ClamdScanner.verdict(new ClamdClient.Reply("INSTREAM size limit exceeded. ERROR")))
        .isEqualTo(ScanVerdict.UNSCANNABLE);
    assertThat(
            ClamdScanner.verdict(
                new ClamdClient.Reply("stream: Heuristics.Broken.Executable FOUND")))
        .isEqualTo(ScanVerdict.UNSCANNABLE);
    for (String fault :
        List.of("stream: Can't allocate memory ERROR", "COMMAND READ TIMED OUT", "", "stream: O")) {
      assertThatThrownBy(() -> ClamdScanner.verdict(new ClamdClient.Reply(fault)))
          .as(fault)
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void clamdThatHangsUpMidReplyGivesNoVerdict() throws Exception {
    try (ServerSocket dropping = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serveOnce(
          dropping,
          connection -> {
            connection.getInputStream().readNBytes(10 + 4 + 10 + 4);
            connection.getOutputStream().write("stream: O".getBytes()); // and no NUL: cut off
          });
      ClamdClient client =
          new ClamdClient(
              "127.0.0.1",
              dropping.getLocalPort(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(3),
              1024);

      assertThatThrownBy(() -> client.scan(new ByteArrayInputStream(new byte[10]), sent -> {}))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("mid-reply");
    }
  }

  @Test
  void clamdThatWorksLongAfterTheLastByteIsToldAliveMeanwhile() throws Exception {
    try (ServerSocket slow = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serveOnce(
          slow,
          connection -> {
            connection.getInputStream().readNBytes(10 + 4 + 10 + 4);
            Thread.sleep(12_000); // a large archive being unpacked
            connection.getOutputStream().write("stream: OK\0".getBytes());
          });
      ClamdClient client =
          new ClamdClient(
              "127.0.0.1",
              slow.getLocalPort(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(30),
              1024);
      java.util.concurrent.atomic.AtomicInteger beats =
          new java.util.concurrent.atomic.AtomicInteger();

      ClamdClient.Reply reply =
          client.scan(new ByteArrayInputStream(new byte[10]), sent -> beats.incrementAndGet());

      assertThat(reply.isClean()).isTrue();
      assertThat(beats.get())
          .as("one after the bytes, then one every 5 s of clamd's work")
          .isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void workerRefusesAClamdConfiguredOtherwiseThanItWasTold() throws Exception {
    clamdScanner(clamd, MAX_STREAM).checkClamd(); // as configured: no complaint
    assertThatThrownBy(() -> clamdScanner(smallClamd, MAX_STREAM).checkClamd())
        .hasMessageContaining("StreamMaxLength is smaller");
    assertThatThrownBy(() -> clamdScanner(clamd, SMALL_STREAM).checkClamd())
        .hasMessageContaining("StreamMaxLength is larger");
    try (LocalClamd lax =
        LocalClamd.start(
            Files.createTempDirectory("clamd-lax"),
            List.of("AlertEncrypted no", "AlertEncryptedArchive no"))) {
      assertThatThrownBy(() -> clamdScanner(lax, MAX_STREAM).checkClamd())
          .hasMessageContaining("encrypted zip");
    }
  }
}
