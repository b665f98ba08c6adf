package dev.attachments.workflow;

import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.publish.MetadataActivities;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.upload.HeldUpload;
import dev.attachments.upload.StorageActivities;
import dev.attachments.upload.StoredObject;
import dev.attachments.webhook.Event;
import dev.attachments.webhook.EventType;
import dev.attachments.webhook.WebhookActivities;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory stand-ins for the outside systems, so that the workflow's branches can be driven one by
 * one. The real systems are exercised by the activity tests.
 */
final class FakeActivities
    implements StorageActivities,
        ScannerActivities,
        OptimizerActivities,
        MetadataActivities,
        WebhookActivities {
  volatile boolean uploaded;

  /** Real time each announcement takes: a slow database, while the workflow task is out. */
  volatile long announceMillis;

  volatile long storedSize = 1024;
  volatile ScanVerdict verdict = ScanVerdict.CLEAN;
  volatile String sha256 = "ab".repeat(32);

  /** What the scan's sniff says the bytes are. */
  volatile String detectedType = "image/png";

  /** The type the last preview was asked for. */
  volatile String previewedAs;

  /** The ETag of what the hold step holds; a new one means other bytes were held. */
  volatile String heldEtag = "etag-1";

  /** The hold copied the bytes from incoming (else it found them held already). */
  volatile boolean heldFromIncoming = true;

  /** The upload carries a Content-Encoding nobody asked for. */
  volatile boolean unexpectedHeaders;

  /** How many scan attempts fail as if clamd were unreachable before one succeeds. */
  volatile int scannerDownFor;

  volatile boolean optimizerBroken;

  /** Every hold fails, as when S3 refuses the copy out of incoming. */
  volatile boolean holdBroken;

  /** Every release fails, as when S3 refuses the copy. */
  volatile boolean releaseBroken;

  final AtomicInteger releaseAttempts = new AtomicInteger();

  /**
   * The metadata store refuses to record a settled preview, as when it goes down after the release.
   */
  volatile boolean previewRecordBroken;

  /** The optimizer answers PENDING, as Cloudinary does for a large video. */
  volatile boolean optimizerAsync;

  final AtomicInteger scanAttempts = new AtomicInteger();

  /**
   * The released state is written, and its event can never be handed to webhook delivery, as when
   * the webhook queue's server refuses every start.
   */
  volatile boolean releasedHandOffBroken;

  /**
   * Every call that changed something, in order: "hold", "scan", "release", "discard-held",
   * "discard" (of incoming), "publish:STATUS", "delete-everywhere", "delete-previews"; and
   * "quarantine" in workflows from before uploads were held.
   */
  final List<String> events = new CopyOnWriteArrayList<>();

  final List<AttachmentState> published = new CopyOnWriteArrayList<>();

  /** The webhook events handed on, in order. */
  final List<Event> emitted = new CopyOnWriteArrayList<>();

  @Override
  public boolean isUploaded(String objectKey) {
    return uploaded;
  }

  @Override
  public StoredObject verify(String objectKey, long declaredSize) {
    if (!uploaded) {
      throw ApplicationFailure.newNonRetryableFailure("no upload", UPLOAD_MISSING);
    }
    if (storedSize != declaredSize) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the upload has " + storedSize + " bytes, not the declared " + declaredSize,
          SIZE_MISMATCH);
    }
    return new StoredObject(storedSize, "etag");
  }

  @Override
  public HeldUpload hold(String objectKey, long declaredSize, String declaredContentType) {
    if (holdBroken) {
      throw new IllegalStateException("S3 answered 503 Slow Down");
    }
    verify(objectKey, declaredSize);
    if (unexpectedHeaders) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the upload carries Content-Encoding: br; upload it again without that header",
          UNEXPECTED_HEADERS);
    }
    events.add("hold");
    return new HeldUpload(storedSize, heldEtag, false, heldFromIncoming);
  }

  @Override
  public void releaseHeld(String objectKey, String etag) {
    release(objectKey);
  }

  @Override
  public void discardHeld(String objectKey) {
    events.add("discard-held");
  }

  @Override
  public void release(String objectKey) {
    releaseAttempts.incrementAndGet();
    if (releaseBroken) {
      throw new IllegalStateException("S3 answered 503 Slow Down");
    }
    events.add("release");
  }

  @Override
  public void quarantine(String objectKey) {
    events.add("quarantine");
  }

  @Override
  public void releaseFromQuarantine(String objectKey) {
    events.add("release-from-quarantine");
  }

  @Override
  public void discardUpload(String objectKey) {
    events.add("discard");
  }

  @Override
  public void deleteEverywhere(String objectKey) {
    events.add("delete-everywhere");
  }

  @Override
  public ScanResult scan(String objectKey) {
    return scanned(null);
  }

  @Override
  public ScanResult scanHeld(String objectKey, String etag) {
    return scanned(etag);
  }

  private ScanResult scanned(String etag) {
    int attempt = scanAttempts.incrementAndGet();
    events.add("scan");
    if (attempt <= scannerDownFor) {
      throw new IllegalStateException("clamd at 127.0.0.1:3310 refused the connection");
    }
    String signature =
        switch (verdict) {
          case CLEAN -> null;
          case INFECTED -> "Eicar-Test-Signature.UNOFFICIAL";
          case UNSCANNABLE -> "Heuristics.Limits.Exceeded.MaxFileSize";
        };
    return new ScanResult(
        verdict, signature, "ClamAV test", sha256, detectedType, storedSize, Instant.EPOCH, etag);
  }

  @Override
  public Preview optimize(PreviewRequest request) {
    previewedAs = request.contentType();
    if (optimizerBroken) {
      throw ApplicationFailure.newNonRetryableFailure("corrupt image", "PreviewFailed");
    }
    if (optimizerAsync) {
      return new Preview(
          PreviewStatus.PENDING, java.util.Map.of("poster", "https://cdn/poster.jpg"), null, null);
    }
    return Preview.of(PreviewStatus.NOT_CONFIGURED, null);
  }

  @Override
  public void deletePreviews(PreviewRequest request) {
    events.add("delete-previews");
  }

  @Override
  public void emit(Event event) {
    emitted.add(event);
  }

  @Override
  public List<String> record(Event event) {
    return List.of();
  }

  @Override
  public void deliver(String eventId, String endpointId) {}

  @Override
  public void publish(AttachmentState state) {
    if (previewRecordBroken
        && state.status() == AttachmentStatus.RELEASED
        && state.preview().status() != PreviewStatus.PENDING) {
      throw new IllegalStateException("PostgreSQL: connection refused");
    }
    events.add("publish:" + state.status());
    published.add(state);
  }

  @Override
  public void announce(AttachmentState state, Event event) {
    if (announceMillis > 0) {
      try {
        Thread.sleep(announceMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    publish(state);
    if (releasedHandOffBroken && event != null && event.type() == EventType.RELEASED) {
      throw ApplicationFailure.newFailure(
          "the state is published; handing its event to delivery failed", HAND_OFF_FAILED);
    }
    if (event != null) {
      emit(event);
    }
  }
}
