package dev.attachments.clamd;

import dev.attachments.s3.Buckets;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.workflow.TaskQueues;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.spring.boot.ActivityImpl;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.tika.Tika;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Streams the incoming object from S3 into clamd, computing its SHA-256 and sniffing its media type
 * on the same pass, heartbeating as bytes go. The object is never held whole in memory or written
 * to disk.
 */
@ActivityImpl(taskQueues = TaskQueues.SCAN_PLACEHOLDER)
public class ClamdScanner implements ScannerActivities {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClamdScanner.class);
  private static final int SNIFF_BYTES = 8192;
  private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

  /**
   * clamd ran past MaxScanTime: a verdict only once it happened on {@link #TIME_TRIES} attempts.
   */
  private static final String SCAN_TIME_EXCEEDED = "Heuristics.Limits.Exceeded.MaxScanTime";

  private static final int TIME_TRIES = 3;

  private static final Duration QUESTION_TIMEOUT = Duration.ofSeconds(10);

  /**
   * clamd's findings that say what it could not read: limits exceeded, encryption, broken
   * executables.
   */
  private static final java.util.List<String> UNREAD =
      java.util.List.of("Heuristics.Limits.Exceeded", "Heuristics.Encrypted", "Heuristics.Broken");

  private final S3Client s3;
  private final Buckets buckets;
  private final ClamdClient clamd;

  /**
   * For the probe and the version: a hung clamd is reported as such within seconds, not after a
   * scan's read timeout.
   */
  private final ClamdClient questions;

  private final long largestScan;
  private final Duration maxSignatureAge;
  private final Tika tika = new Tika();
  private final ScanMeters meters;

  /** clamd was found to scan as configured; until then every scan asks it first. */
  private volatile boolean clamdChecked;

  /**
   * @param largestScan the most bytes clamd takes in one stream (its StreamMaxLength)
   * @param maxSignatureAge the oldest signature database whose verdicts count; null to take any,
   *     dated or not
   * @param meters where each scan's seconds, bytes and verdict are counted
   */
  public ClamdScanner(
      S3Client s3,
      Buckets buckets,
      ClamdClient clamd,
      long largestScan,
      Duration maxSignatureAge,
      MeterRegistry meters) {
    this.meters = new ScanMeters(meters);
    this.s3 = s3;
    this.buckets = buckets;
    this.clamd = clamd;
    this.questions = clamd.answeringWithin(QUESTION_TIMEOUT);
    this.largestScan = largestScan;
    this.maxSignatureAge = maxSignatureAge;
  }

  /**
   * Whether scans can give verdicts now, for the worker to report to operators.
   *
   * @param engine clamd's version line, null when it cannot be reached
   * @param problem why scans wait, or null when they do not
   */
  public record Readiness(String engine, Instant signaturesBuiltAt, String problem) {}

  /**
   * Probes clamd again (a restart may have brought another configuration) and asks its signatures,
   * as a scan would; says whether a scan would go ahead. A mismatch found here holds scans until a
   * probe passes again.
   */
  public Readiness readiness() {
    ClamdVersion version;
    try {
      clamdChecked = false;
      checkClamd();
      version = ClamdVersion.parse(questions.version());
    } catch (UncheckedIOException | IOException unreachable) {
      return new Readiness(null, null, "clamd cannot be reached: " + unreachable.getMessage());
    } catch (IllegalStateException mismatch) {
      return new Readiness(null, null, mismatch.getMessage());
    }
    return new Readiness(
        version.line(), version.builtAt(), version.staleness(maxSignatureAge, Instant.now()));
  }

  /**
   * Checks that clamd scans as configured (see {@link ClamdProbe}); the worker calls it at start-up
   * and refuses to start on a mismatch. A clamd that cannot be reached yet is checked before the
   * first scan instead.
   *
   * @throws IllegalStateException when clamd is reachable and configured otherwise
   */
  public void checkClamd() {
    try {
      String mismatch = ClamdProbe.mismatch(questions, largestScan);
      if (mismatch != null) {
        throw new IllegalStateException(
            "clamd does not scan as configured: "
                + mismatch
                + ". Configure it from docker/clamd-scanning.conf");
      }
      clamdChecked = true;
    } catch (IOException unreachable) {
      throw new UncheckedIOException(unreachable);
    }
  }

  @Override
  public ScanResult scan(String objectKey) {
    return metered(buckets.incoming(), objectKey, null);
  }

  @Override
  public ScanResult scanHeld(String objectKey, String etag) {
    return metered(buckets.quarantine(), objectKey, etag);
  }

  private ScanResult metered(String bucket, String objectKey, String etag) {
    long started = System.nanoTime();
    try {
      ScanResult result = scan(bucket, objectKey, etag);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      meters.scanned(result, took);
      LOG.info(
          "{} scanned: {}{} ({} bytes in {} ms, {})",
          objectKey,
          result.verdict(),
          result.signature() == null ? "" : " " + result.signature(),
          result.scannedBytes(),
          took.toMillis(),
          result.engine());
      return result;
    } catch (RuntimeException noVerdict) {
      meters.failed(Duration.ofNanos(System.nanoTime() - started));
      throw noVerdict;
    }
  }

  /**
   * @param etag the version to read (a GET If-Match it), or null for whatever the key holds
   */
  private ScanResult scan(String bucket, String objectKey, String etag) {
    ActivityExecutionContext activity = Activity.getExecutionContext();
    if (!clamdChecked) {
      checkClamd(); // a mismatch fails the attempt: files wait until clamd is set right
    }
    String engine = freshEngine();
    long size = s3.headObject(b -> b.bucket(bucket).key(objectKey).ifMatch(etag)).contentLength();
    if (size > largestScan) {
      // clamd would refuse it past its limit anyway: say so without streaming gigabytes first
      return new ScanResult(
          ScanVerdict.UNSCANNABLE,
          "the file has " + size + " bytes, more than the scanner takes (" + largestScan + ")",
          engine,
          null,
          null,
          0,
          Instant.now(),
          etag);
    }
    try (ResponseInputStream<GetObjectResponse> object =
        s3.getObject(b -> b.bucket(bucket).key(objectKey).ifMatch(etag))) {
      long expected = object.response().contentLength();
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      Prefix prefix = new Prefix(new DigestInputStream(object, sha256), SNIFF_BYTES);
      long[] lastBeat = {System.nanoTime()};
      ClamdClient.Reply reply =
          clamd.scan(
              prefix,
              sent -> {
                if (System.nanoTime() - lastBeat[0] > HEARTBEAT_EVERY.toNanos()) {
                  activity.heartbeat(sent);
                  lastBeat[0] = System.nanoTime();
                }
              });
      ScanVerdict verdict = verdict(reply);
      if (reply.isFound()
          && reply.detail().startsWith(SCAN_TIME_EXCEEDED)
          && activity.getInfo().getAttempt() < TIME_TRIES) {
        // how long a scan takes depends on how busy clamd is: another tenant's flood must not
        // decide this file
        throw new IOException(
            "clamd ran out of time on " + objectKey + " (" + reply.detail() + "): scanning again");
      }
      if (!reply.isError() && prefix.total != expected) {
        // a verdict on part of a file is no verdict: retry the whole scan
        throw new IOException(
            "read " + prefix.total + " of " + expected + " bytes of " + objectKey);
      }
      return new ScanResult(
          verdict,
          reply.isClean() ? null : reply.detail(),
          engine,
          reply.isError() ? null : HexFormat.of().formatHex(sha256.digest()),
          tika.detect(prefix.bytes()),
          prefix.total,
          Instant.now(),
          etag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Over-limit, encrypted and broken content is reported by clamd as a heuristic finding, a stream
   * past its StreamMaxLength as that error: answers about the file, UNSCANNABLE, never CLEAN. Any
   * other error (or a reply that is none of these) is about clamd, not the file: the scan is
   * retried, and files wait.
   *
   * @throws IOException for a reply that is no verdict
   */
  static ScanVerdict verdict(ClamdClient.Reply reply) throws IOException {
    if (reply.isClean()) {
      return ScanVerdict.CLEAN;
    }
    if (reply.isFound()) {
      return UNREAD.stream().anyMatch(reply.detail()::startsWith)
          ? ScanVerdict.UNSCANNABLE
          : ScanVerdict.INFECTED;
    }
    if (reply.isStreamTooLong()) {
      return ScanVerdict.UNSCANNABLE;
    }
    throw new IOException("clamd gave no verdict, it said '" + reply.line() + "': scanning again");
  }

  /**
   * clamd's version line, when its signatures are fresh enough for a verdict to count.
   *
   * @throws IllegalStateException when they are not: the attempt fails, and files wait as when
   *     clamd is down
   */
  private String freshEngine() {
    try {
      ClamdVersion version = ClamdVersion.parse(questions.version());
      String stale = version.staleness(maxSignatureAge, Instant.now());
      if (stale != null) {
        throw new IllegalStateException(stale + " Scanning waits until the signatures are fresh.");
      }
      return version.line();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Passes bytes through, keeping the first few for type detection and counting them all. */
  private static final class Prefix extends FilterInputStream {
    private final byte[] head;
    private int headLength;
    long total;

    Prefix(InputStream in, int keep) {
      super(in);
      head = new byte[keep];
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        int keep = Math.min(n, head.length - headLength);
        System.arraycopy(b, off, head, headLength, keep);
        headLength += keep;
        total += n;
      }
      return n;
    }

    byte[] bytes() {
      return Arrays.copyOf(head, headLength);
    }
  }
}
