package dev.attachments.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attachments.clamd.ClamdScanner;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.stack.LocalClamd;
import dev.attachments.testing.RealS3;
import dev.attachments.testing.TestSignatures;
import dev.attachments.testing.WorkflowOnRealParts;
import dev.attachments.upload.HeldUpload;
import dev.attachments.upload.StorageActivities;
import dev.attachments.upload.StoredObject;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import dev.attachments.workflow.AttachmentWorkflow;
import dev.attachments.workflow.OperatorAction;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An attacker holding the presigned PUT writes other bytes of the same length to the incoming key
 * at the worst moments: after the scan, before it, before an operator's reprocess. The workflow
 * runs on the real S3Storage (s3proxy) and ClamdScanner (clamd); the released bucket must hold the
 * scanned bytes, or nothing.
 */
class PinnedBytesTest {
  private static RealS3 s3;
  private static LocalClamd clamd;

  private WorkflowOnRealParts workflow;
  private List<AttachmentState> published;

  /** Runs once, at the moment the test chose, as the attacker's PUT. */
  private volatile Runnable afterScan = () -> {};

  private volatile Runnable beforeScan = () -> {};
  private volatile boolean releaseBroken;

  /**
   * Two 128-byte blocks with one MD5 (Wang and Yu's collision, 2004): files that differ only there
   * have one single-PUT ETag. Only the second carries the bytes the test signature finds.
   */
  private static final byte[] COLLIDING_A =
      HexFormat.of()
          .parseHex(
              "d131dd02c5e6eec4693d9a0698aff95c2fcab58712467eab4004583eb8fb7f8955ad340609f4b30283e488832571415a"
                  + "085125e8f7cdc99fd91dbdf280373c5bd8823e3156348f5bae6dacd436c919c6dd53e2b487da03fd02396306d248cda0"
                  + "e99f33420f577ee8ce54b67080a80d1ec69821bcb6a8839396f9652b6ff72a70");

  private static final byte[] COLLIDING_B =
      HexFormat.of()
          .parseHex(
              "d131dd02c5e6eec4693d9a0698aff95c2fcab50712467eab4004583eb8fb7f8955ad340609f4b30283e4888325f1415a"
                  + "085125e8f7cdc99fd91dbd7280373c5bd8823e3156348f5bae6dacd436c919c6dd53e23487da03fd02396306d248cda0"
                  + "e99f33420f577ee8ce54b67080280d1ec69821bcb6a8839396f965ab6ff72a70");

  @BeforeAll
  static void startParts() throws Exception {
    s3 = new RealS3();
    Path folder = Files.createTempDirectory("clamd");
    clamd = LocalClamd.start(folder);
    // stands for malware that differs from a clean file only inside a collision block
    TestSignatures.add(
        folder.resolve("db"),
        clamd.host(),
        clamd.port(),
        "Attachments.Test.CollidingB",
        Arrays.copyOfRange(COLLIDING_B, 16, 24));
  }

  @AfterAll
  static void stopParts() throws Exception {
    clamd.close();
    s3.close();
  }

  @BeforeEach
  void startTemporal() {
    ClamdScanner scanner = WorkflowOnRealParts.scanner(s3, clamd, null);
    workflow =
        new WorkflowOnRealParts(
            new BreakableRelease(new S3Storage(s3.client, RealS3.BUCKETS)), new Attacked(scanner));
    published = workflow.published;
  }

  @AfterEach
  void stopTemporal() {
    workflow.close();
  }

  @Test
  void bytesPutAfterTheScanNeverReachTheReleasedBucket() {
    byte[] clean = padded("clean ");
    byte[] infected = padded(LocalClamd.EICAR);
    AttachmentRequest request = request(clean.length);
    afterScan =
        once(() -> s3.put("incoming", request.objectKey(), infected, request.contentType()));

    AttachmentState state = uploadAndProcess(request, clean);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(sha256(s3.get("released", request.objectKey())))
        .as("the released bytes are the scanned ones")
        .isEqualTo(sha256(clean));
    assertThat(state.scan().sha256()).isEqualTo(sha256(clean));
    assertThat(s3.exists("incoming", request.objectKey())).as("the late PUT was swept").isFalse();
  }

  @Test
  void bytesPutWhileTheScanBeginsAreNotTheOnesScanned() {
    byte[] clean = padded("clean ");
    byte[] infected = padded(LocalClamd.EICAR);
    AttachmentRequest request = request(clean.length);
    beforeScan =
        once(() -> s3.put("incoming", request.objectKey(), infected, request.contentType()));

    AttachmentState state = uploadAndProcess(request, clean);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(sha256(s3.get("released", request.objectKey()))).isEqualTo(sha256(clean));
  }

  @Test
  void bytesPutBeforeAnOperatorsReprocessAreScannedBeforeAnythingIsReleased() {
    byte[] clean = padded("clean ");
    byte[] infected = padded(LocalClamd.EICAR);
    AttachmentRequest request = request(clean.length);
    AttachmentState failed = failedAfterACleanVerdict(request, clean);

    s3.put(
        "incoming",
        request.objectKey(),
        infected,
        request.contentType()); // with a URL still valid, or on a server without If-None-Match
    releaseBroken = false;
    OperatorAction reprocess =
        new OperatorAction(
            UUID.randomUUID().toString(), OperatorAction.Kind.REPROCESS, "alice", "S3 is back");
    AttachmentWorkflow again = start(request.rerun(failed.scan(), reprocess));
    AttachmentState state = WorkflowStub.fromTyped(again).getResult(AttachmentState.class);

    assertThat(state.status())
        .as("the kept verdict was about other bytes")
        .isEqualTo(AttachmentStatus.QUARANTINED);
    assertThat(state.scan().verdict()).isEqualTo(ScanVerdict.INFECTED);
    assertThat(s3.exists("released", request.objectKey())).isFalse();
  }

  @Test
  void bytesWithTheScannedOnesMd5PutBeforeAReprocessAreScannedBeforeAnythingIsReleased() {
    byte[] clean = concat(COLLIDING_A, padded("a clean note "));
    byte[] infected = concat(COLLIDING_B, padded("a clean note "));
    AttachmentRequest request = request(clean.length);
    AttachmentState failed = failedAfterACleanVerdict(request, clean);

    s3.put(
        "incoming",
        request.objectKey(),
        infected,
        request.contentType()); // same length, same MD5: the same ETag as what was scanned
    releaseBroken = false;
    OperatorAction reprocess =
        new OperatorAction(
            UUID.randomUUID().toString(), OperatorAction.Kind.REPROCESS, "alice", "S3 is back");
    AttachmentState state =
        WorkflowStub.fromTyped(start(request.rerun(failed.scan(), reprocess)))
            .getResult(AttachmentState.class);

    assertThat(state.status())
        .as("an ETag is no proof of the bytes: " + state)
        .isEqualTo(AttachmentStatus.QUARANTINED);
    assertThat(state.scan().signature()).contains("Attachments.Test.CollidingB");
    assertThat(s3.exists("released", request.objectKey())).isFalse();
  }

  /**
   * Uploads {@code clean}, whose release then fails until the run gives up: FAILED, a CLEAN verdict
   * on record.
   */
  private AttachmentState failedAfterACleanVerdict(AttachmentRequest request, byte[] clean) {
    releaseBroken = true;
    AttachmentWorkflow first = start(request);
    s3.put("incoming", request.objectKey(), clean, request.contentType());
    first.uploadCompleted();
    Assertions.assertThatThrownBy(
            () -> WorkflowStub.fromTyped(first).getResult(AttachmentState.class))
        .isInstanceOf(WorkflowFailedException.class);
    AttachmentState failed = published.get(published.size() - 1);
    assertThat(failed.status()).isEqualTo(AttachmentStatus.FAILED);
    assertThat(failed.scan().verdict()).isEqualTo(ScanVerdict.CLEAN);
    return failed;
  }

  private static byte[] concat(byte[] head, byte[] tail) {
    byte[] both = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, both, head.length, tail.length);
    return both;
  }

  private AttachmentState uploadAndProcess(AttachmentRequest request, byte[] content) {
    AttachmentWorkflow workflow = start(request);
    s3.put("incoming", request.objectKey(), content, request.contentType());
    workflow.uploadCompleted();
    return WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
  }

  private AttachmentWorkflow start(AttachmentRequest request) {
    return workflow.start(request);
  }

  private AttachmentRequest request(long size) {
    return workflow.request(size, Duration.ofSeconds(20));
  }

  /** 64 KiB that start with {@code text}: a clean file and an infected one of the same length. */
  private static byte[] padded(String text) {
    byte[] content = new byte[64 * 1024];
    Arrays.fill(content, (byte) ' ');
    byte[] head = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, content, 0, head.length);
    return content;
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Runnable once(Runnable action) {
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }

  /** The real scanner, with the attacker's PUT just before or just after it. */
  private final class Attacked implements ScannerActivities {
    private final ScannerActivities real;

    Attacked(ScannerActivities real) {
      this.real = real;
    }

    @Override
    public ScanResult scan(String objectKey) {
      beforeScan.run();
      ScanResult result = real.scan(objectKey);
      afterScan.run();
      return result;
    }

    @Override
    public ScanResult scanHeld(String objectKey, String etag) {
      beforeScan.run();
      ScanResult result = real.scanHeld(objectKey, etag);
      afterScan.run();
      return result;
    }
  }

  /**
   * The real storage, whose releases fail while {@link #releaseBroken}, as when S3 refuses copies.
   */
  private final class BreakableRelease implements StorageActivities {
    private final StorageActivities real;

    BreakableRelease(StorageActivities real) {
      this.real = real;
    }

    private void refuseWhileBroken() {
      if (releaseBroken) {
        throw new IllegalStateException("S3 answered 503 Slow Down");
      }
    }

    @Override
    public boolean isUploaded(String objectKey) {
      return real.isUploaded(objectKey);
    }

    @Override
    public StoredObject verify(String objectKey, long declaredSize) {
      return real.verify(objectKey, declaredSize);
    }

    @Override
    public HeldUpload hold(String objectKey, long declaredSize, String declaredContentType) {
      return real.hold(objectKey, declaredSize, declaredContentType);
    }

    @Override
    public void releaseHeld(String objectKey, String etag) {
      refuseWhileBroken();
      real.releaseHeld(objectKey, etag);
    }

    @Override
    public void discardHeld(String objectKey) {
      real.discardHeld(objectKey);
    }

    @Override
    public void release(String objectKey) {
      refuseWhileBroken();
      real.release(objectKey);
    }

    @Override
    public void quarantine(String objectKey) {
      real.quarantine(objectKey);
    }

    @Override
    public void releaseFromQuarantine(String objectKey) {
      real.releaseFromQuarantine(objectKey);
    }

    @Override
    public void discardUpload(String objectKey) {
      real.discardUpload(objectKey);
    }

    @Override
    public void deleteEverywhere(String objectKey) {
      real.deleteEverywhere(objectKey);
    }
  }
}
