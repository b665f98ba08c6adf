package dev.attachments.workflow;

import static dev.attachments.workflow.AttachmentStatus.DELETED;
import static dev.attachments.workflow.AttachmentStatus.EXPIRED;
import static dev.attachments.workflow.AttachmentStatus.FAILED;
import static dev.attachments.workflow.AttachmentStatus.PROCESSING;
import static dev.attachments.workflow.AttachmentStatus.QUARANTINED;
import static dev.attachments.workflow.AttachmentStatus.REJECTED;
import static dev.attachments.workflow.AttachmentStatus.RELEASED;

import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewNotice;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.publish.MetadataActivities;
import dev.attachments.scan.ContentTypes;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.scan.TypeMismatchPolicy;
import dev.attachments.scan.UnscannablePolicy;
import dev.attachments.upload.HeldUpload;
import dev.attachments.upload.StorageActivities;
import dev.attachments.webhook.Event;
import dev.attachments.webhook.EventType;
import dev.attachments.webhook.WebhookActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.WorkflowImpl;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The seed's sentence in code: wait for the upload, verify, scan, quarantine or release, optimize,
 * publish.
 */
@WorkflowImpl(taskQueues = TaskQueues.MAIN_PLACEHOLDER)
public class AttachmentWorkflowImpl implements AttachmentWorkflow {

  /**
   * First and longest wait between two looks for an upload whose client has not called complete.
   */
  static final Duration FIRST_LOOK = AttachmentRequest.FIRST_LOOK;

  static final Duration LONGEST_LOOK = Duration.ofMinutes(5);

  /** The slowest pace a whole-file step (scan, copy) is allowed: 20 MiB/s. */
  static final long BYTES_PER_SECOND_AT_WORST = 20L * 1024 * 1024;

  private static final Set<String> BUSINESS_FAILURES =
      Set.of(
          StorageActivities.UPLOAD_MISSING,
          StorageActivities.SIZE_MISMATCH,
          StorageActivities.UNEXPECTED_HEADERS);

  /**
   * Room for the clocks of the API (which signs the URLs), S3 (which checks them) and Temporal to
   * disagree before the incoming bucket is swept.
   */
  static final Duration SWEEP_MARGIN = Duration.ofSeconds(30);

  /** How long a large video's asynchronous previews may take before they count as failed. */
  static final Duration PREVIEW_WAIT = Duration.ofHours(2);

  static final String ASYNC_PREVIEWS = "async-previews";

  static final String WEBHOOK_EVENTS = "webhook-events";
  static final String RELEASE_STANDS = "release-stands";

  /**
   * Uploads are held out of the client's reach before the scan, and incoming is swept when its URLs
   * expired.
   */
  static final String HELD_UPLOADS = "held-uploads";

  /**
   * A clean file whose bytes are not of the declared type is not released; previews follow the
   * bytes' type.
   */
  static final String VERIFIED_TYPES = "verified-types";

  /**
   * A run that started before uploads were held holds its upload all the same, if it arrives after
   * the deploy.
   */
  static final String HELD_ON_ARRIVAL = "held-on-arrival";

  /**
   * A run that gives up after holding its upload still sweeps incoming once the upload URLs have
   * expired.
   */
  static final String SWEEP_FAILED = "sweep-failed";

  /**
   * The client's complete is the API's word that the object is there (it looked before it
   * signalled), and the hold step checks it anyway: no look is spent on it; and the first look
   * waits for the first pause, as an upload is rarely there the moment it is created. One activity
   * less for a client that completes at once (measured: 10 to 9), two for a slower one.
   */
  static final String TRUSTED_COMPLETE = "trusted-complete";

  /**
   * An owner's deletion is carried out: marked in the history of the runs that do. A history in
   * which a worker from before took the signal and ignored it replays ignoring it (as far as it
   * can: its waits now wake at the signal, so deploy the worker before the API).
   */
  static final String DELETIONS = "deletions";

  /**
   * The light steps (looks, announcements, deletions, and the copies of a file up to {@link
   * #LOCAL_COPY_LIMIT}) run as local activities in the workflow's own task, each change is
   * published and its event handed on in one step, the publication of PROCESSING beside the hold,
   * the search attributes of a step in one upsert, waits cancel their timers (version 1 only: see
   * {@link #TIMERS_LEFT_TO_FIRE}), and the run starts when the client completes (the API delays its
   * first task by {@link AttachmentRequest#FIRST_LOOK}). Every change above this one is implied:
   * its one marker stands for all of them. Measured on the dev server for 1 MiB: 72 to 26 history
   * events, 9 to 2 activity tasks.
   */
  static final String LOCAL_STEPS = "local-steps";

  /**
   * Version 2 of {@link #LOCAL_STEPS}: a wait that ends early leaves its timer to fire into a task
   * of its own, as before that change, instead of cancelling it. The Java test server (the embedded
   * stack's Temporal without the CLI) refuses a workflow task that cancels a timer which fired
   * while the task was out, and never sends the task again (temporalio/sdk-java#3088): a complete
   * that came just before a look, with a slow database, stranded the run for good. The cost is a
   * workflow task when the timer fires, only in runs whose wait a signal cut short (none when the
   * client completes at once: that run has no timer).
   */
  static final int TIMERS_LEFT_TO_FIRE = 2;

  /**
   * Version 3 of {@link #LOCAL_STEPS}: a deletion that cuts the sweep wait short sweeps, at the
   * same instant, on that wait's timer instead of a second one. With two timers for one instant,
   * the one left over could fire while the last task was out, which refuses the run's completion
   * and runs the task's sweep again (AttachmentWorkflowTest saw incoming swept twice).
   */
  static final int SWEEP_TIMER_SHARED = 3;

  /**
   * Files up to this size are held and released by local activities: a server-side copy of 32 MiB
   * takes well under a second, far inside the workflow task's timeout. Larger ones are activities
   * with heartbeats.
   */
  static final long LOCAL_COPY_LIMIT = 32L * 1024 * 1024;

  private AttachmentState state;
  private String owner;

  /** False when replaying a workflow that started before webhook events existed. */
  private boolean publishesEvents;

  private boolean completeSignalled;
  private PreviewNotice previewNotice;

  /**
   * RELEASED is in the metadata store: the file is downloadable, and nothing that fails later takes
   * that back.
   */
  private boolean releasePublished;

  /**
   * The operator's reprocess or release this run carries out; null for the run the upload started.
   */
  private OperatorAction action;

  /**
   * False when replaying a workflow that scanned and released the object where the client had put
   * it.
   */
  private boolean holdsUploads;

  /**
   * When the attachment stopped taking uploads: no URL handed out before then lives past it plus
   * their TTL.
   */
  private Instant uploadsClosedAt;

  private boolean superseded;

  /** False when replaying a workflow that released whatever type the bytes were, as declared. */
  private boolean checksTypes;

  /**
   * The type previews are made for: the declared one, or what the bytes are when they are not that.
   */
  private String servedAs;

  /**
   * The upload is out of incoming (held or released): a sweep can no longer delete the only copy.
   */
  private boolean uploadHeld;

  /** The owner's deletion, from the signal or from the run's own request; the first one counts. */
  private OperatorAction deletion;

  private boolean deletionMarked;

  /** The deletion arrived in a history recorded by a worker that ignored it. */
  private boolean ignoresDeletion;

  /** The deletion is being carried out: its own sweep is not cut short by it. */
  private boolean deletionUnderWay;

  /** Every change since {@link #LOCAL_STEPS} is implied by its one marker. */
  private boolean localSteps;

  /** A run of {@link #LOCAL_STEPS}'s first version: waits cancel their timers. */
  private boolean cancelsTimers;

  /** A run since {@link #SWEEP_TIMER_SHARED}: one timer per sweep instant. */
  private boolean sharesSweepTimer;

  /** The sweep wait's timer, and the instant it fires, kept for a deletion's sweep. */
  private Promise<Void> sweepTimer;

  private Instant sweepTimerAt;

  /** A verdict not yet upserted: it goes with the next status's upsert. */
  private String verdictToUpsert;

  private StorageActivities storage;

  /** The whole-file copies: local activities for small files in runs with {@link #LOCAL_STEPS}. */
  private StorageActivities copies;

  private ScannerActivities scanner;
  private OptimizerActivities optimizer;
  private MetadataActivities metadata;
  private WebhookActivities webhooks;

  @Override
  public AttachmentState process(AttachmentRequest request) {
    state = AttachmentState.awaitingUpload(request.attachmentId());
    owner = request.owner();
    int steps = Workflow.getVersion(LOCAL_STEPS, Workflow.DEFAULT_VERSION, SWEEP_TIMER_SHARED);
    localSteps = steps >= 1;
    cancelsTimers = steps == 1;
    sharesSweepTimer = steps >= SWEEP_TIMER_SHARED;
    publishesEvents = localSteps || isSince(WEBHOOK_EVENTS);
    // Only runs started by this code carry an action: older histories replay the path below
    // unchanged.
    action = request.operatorAction();
    holdsUploads = localSteps || isSince(HELD_UPLOADS);
    checksTypes = localSteps || isSince(VERIFIED_TYPES);
    servedAs = request.contentType();
    stubs(
        request.queues(),
        request.size(),
        request.giveUpAfterOrDefault(),
        request.resumeScan() != null);
    uploadsClosedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());

    if (action != null && action.kind() == OperatorAction.Kind.DELETE) {
      // the run before closed (or never ran): this one only deletes, and sweeps incoming once the
      // upload URLs that may still be live have expired
      deletion = deletion == null ? action : deletion;
      deleting();
      if (request.resumeScan() != null) {
        state = state.with(request.resumeScan()); // the verdict stays on record
      }
      return deleted(request);
    }
    if (action == null) {
      boolean arrived = awaitUpload(request);
      if (deleting()) {
        uploadsClosedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
        return deleted(request);
      }
      if (!arrived) {
        storage.discardUpload(request.objectKey());
        finish(EXPIRED, "the upload did not arrive before " + request.uploadExpiresAt());
        swept(request, request.uploadExpiresAt());
        return deleting() ? deleted(request) : state;
      }
      advance(PROCESSING, null);
      uploadsClosedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    } else {
      // The API moved the attachment to PROCESSING with the audit record; the upload's arrival is
      // old news.
      state = state.with(PROCESSING, null);
      if (!localSteps) {
        Workflow.upsertTypedSearchAttributes(
            AttachmentSearchAttributes.STATUS.valueSet(PROCESSING.name()));
      } // else the API started the run with PROCESSING as its status
    }
    try {
      if (action != null && action.kind() == OperatorAction.Kind.RELEASE) {
        releaseOnOperatorsWord(request);
      } else {
        processUpload(request);
      }
    } catch (ActivityFailure failure) {
      // deleted before or while giving up (its sweep waits for the deletion too): what failed no
      // longer matters
      if (!deleting()) {
        ApplicationFailure gaveUp = gaveUp(request, failure);
        if (!deleting()) {
          throw gaveUp;
        }
      }
    }
    if (deleting()) {
      return deleted(request);
    }
    swept(request, request.uploadUrlsExpireBy(uploadsClosedAt));
    return deleting() ? deleted(request) : state;
  }

  /**
   * Retries are exhausted: says so where clients and operators look, and answers the failure that
   * fails the run for the UI.
   */
  private ApplicationFailure gaveUp(AttachmentRequest request, ActivityFailure failure) {
    String why = rootMessage(failure);
    if (releasePublished && (localSteps || isSince(RELEASE_STANDS))) {
      // what failed came after the release (previews' record, an event's hand-off): the
      // attachment stays RELEASED for its owner, and no attachment.failed contradicts
      // attachment.released; the run fails for operators to see
      Workflow.setCurrentDetails("RELEASED, but what followed gave up: " + why);
      sweptAfterGivingUp(request);
      return ApplicationFailure.newNonRetryableFailure(why, "AfterReleaseFailed");
    }
    finish(FAILED, "processing gave up: " + why);
    sweptAfterGivingUp(request);
    return ApplicationFailure.newNonRetryableFailure(why, "ProcessingFailed");
  }

  /**
   * Whether the owner deleted the attachment; the first time it is so, the history is marked (see
   * {@link #DELETIONS}).
   */
  private boolean deleting() {
    if (deletion != null && !deletionMarked) {
      deletionMarked = true;
      ignoresDeletion = !localSteps && !isSince(DELETIONS);
    }
    return deletion != null && !ignoresDeletion;
  }

  /** For a wait's condition (no side effect): a deletion has come that this run carries out. */
  private boolean deletionPending() {
    return deletion != null && !ignoresDeletion && !deletionUnderWay;
  }

  /**
   * The owner deleted the attachment, which the API made DELETED at once: its bytes go from every
   * bucket (an open multipart upload is aborted), its previews wherever they were made, and it ends
   * DELETED with an {@code attachment.deleted} event. Incoming is swept once more when the upload
   * URLs that may still be live have expired, for what a client PUT after the deletion.
   */
  private AttachmentState deleted(AttachmentRequest request) {
    deletionUnderWay = true;
    Workflow.setCurrentDetails("Deleting " + request.filename() + ": " + deletion.reason());
    try {
      storage.deleteEverywhere(request.objectKey());
      optimizer.deletePreviews(
          new PreviewRequest(
              request.attachmentId(), request.objectKey(), servedAs, request.filename()));
      state = state.with((Preview) null);
      finish(DELETED, deletion.reason());
    } catch (ActivityFailure failure) {
      // nothing is served (the row says DELETED); what is left is for an operator, or a repeated
      // DELETE
      Workflow.setCurrentDetails(
          "DELETED, but deleting its files gave up: " + rootMessage(failure));
      throw ApplicationFailure.newNonRetryableFailure(rootMessage(failure), "DeletionFailed");
    }
    swept(request, request.uploadUrlsExpireBy(uploadsClosedAt));
    return state;
  }

  /**
   * The bytes the scan reads and the release copies are the held copy's, out of the client's reach:
   * verify and hold, scan that object, then release or quarantine it (it is in the quarantine
   * bucket already).
   */
  private AttachmentState processUpload(AttachmentRequest request) {
    if (!holdsUploads) {
      // started before uploads were held: what arrives now is held all the same (older histories
      // replay as before)
      holdsUploads = Workflow.getVersion(HELD_ON_ARRIVAL, Workflow.DEFAULT_VERSION, 1) >= 1;
    }
    if (!holdsUploads) {
      return processInPlace(request);
    }
    HeldUpload held;
    try {
      held = copies.hold(request.objectKey(), request.size(), request.contentType());
    } catch (ActivityFailure failure) {
      return rejectedOrThrown(request, failure);
    }
    uploadHeld = true;
    if (deleting()) {
      return state;
    }
    ScanResult scan = request.resumeScan();
    boolean verdictStillHolds =
        scan != null
            && !held.copied()
            && (held.released()
                ? scan.verdict() == ScanVerdict.CLEAN
                : held.etag().equals(scan.etag()));
    if (!verdictStillHolds) {
      // a verdict about other bytes (or none, or one from before uploads were held) is no verdict
      // on these
      Workflow.setCurrentDetails("Scanning " + request.filename());
      scan = scanUnlessDeleted(request.objectKey(), held.etag());
      if (deleting()) {
        return state;
      }
    }
    scanned(scan);

    String refusal = refusal(request, scan);
    if (refusal != null) {
      storage.discardHeld(request.objectKey());
      return finish(REJECTED, refusal);
    }
    if (scan.verdict() != ScanVerdict.CLEAN) {
      return finish(QUARANTINED, quarantineReason(scan));
    }
    ContentTypes.Check types = typeCheck(request, scan);
    if (!types.matches()) {
      if (request.typeMismatchPolicy() == TypeMismatchPolicy.HOLD) {
        return finish(QUARANTINED, types.reason());
      }
      storage.discardHeld(request.objectKey());
      return finish(REJECTED, types.reason());
    }
    if (deleting()) {
      return state;
    }
    copies.releaseHeld(request.objectKey(), scan.etag() == null ? held.etag() : scan.etag());
    return releasedAndPreviewed(request, null);
  }

  /**
   * The scan of the held object, cut short (null) when the owner deletes the attachment meanwhile:
   * with clamd down it may wait for hours, and the bytes it reads are about to be deleted. The
   * deletion is marked before the scan is cancelled, both from here, so a replay issues them in the
   * same order.
   */
  private ScanResult scanUnlessDeleted(String objectKey, String etag) {
    List<Promise<ScanResult>> scan = new ArrayList<>(1);
    CancellationScope scanning =
        Workflow.newCancellationScope(
            () -> scan.add(Async.function(scanner::scanHeld, objectKey, etag)));
    scanning.run();
    Workflow.await(() -> scan.get(0).isCompleted() || deletionPending());
    if (!scan.get(0).isCompleted()) {
      if (deleting()) {
        scanning.cancel();
        return null;
      }
      Workflow.await(() -> scan.get(0).isCompleted());
    }
    return scan.get(0).get();
  }

  /**
   * Whether the bytes are of the declared type (see {@link ContentTypes}), noting the type previews
   * are made for. Runs from before the check take every file as declared.
   */
  private ContentTypes.Check typeCheck(AttachmentRequest request, ScanResult scan) {
    if (!checksTypes || scan == null) {
      return new ContentTypes.Check(true, request.contentType(), null);
    }
    ContentTypes.Check types =
        ContentTypes.check(request.contentType(), scan.detectedContentType());
    servedAs = types.servedAs();
    return types;
  }

  /**
   * The upload failed its check: REJECTED (and what is left in incoming deleted) for a business
   * outcome.
   */
  private AttachmentState rejectedOrThrown(AttachmentRequest request, ActivityFailure failure) {
    if (!isBusinessFailure(failure)) {
      throw failure;
    }
    storage.discardUpload(request.objectKey());
    return finish(REJECTED, rootMessage(failure));
  }

  /**
   * Why a scanned upload is REJECTED (a digest other than the declared, unscannable under reject),
   * or null.
   */
  private static String refusal(AttachmentRequest request, ScanResult scan) {
    if (scan.verdict() == ScanVerdict.CLEAN
        && request.declaredSha256() != null
        && !request.declaredSha256().equalsIgnoreCase(scan.sha256())) {
      return "the uploaded bytes have SHA-256 "
          + scan.sha256()
          + ", not the declared "
          + request.declaredSha256();
    }
    if (scan.verdict() == ScanVerdict.UNSCANNABLE
        && request.unscannablePolicy() == UnscannablePolicy.REJECT) {
      return "could not be scanned: " + scan.signature();
    }
    return null;
  }

  private static String quarantineReason(ScanResult scan) {
    return scan.verdict() == ScanVerdict.INFECTED
        ? "infected: " + scan.signature()
        : "could not be scanned: " + scan.signature();
  }

  /**
   * Whatever a client PUT after its upload was held sits in incoming until its URL expires: wait
   * for that, then delete it. An operator's new run cuts the wait short; it sweeps again at its own
   * end.
   */
  private AttachmentState swept(AttachmentRequest request, Instant urlsExpireBy) {
    if (!holdsUploads) {
      return state;
    }
    Instant sweepAt = urlsExpireBy.plus(SWEEP_MARGIN);
    Duration wait = Duration.ofMillis(sweepAt.toEpochMilli() - Workflow.currentTimeMillis());
    if (!wait.isNegative() && !wait.isZero()) {
      Workflow.setCurrentDetails(
          state.status()
              + (state.reason() == null ? "" : ": " + state.reason())
              + "\nThe incoming bucket is swept at "
              + sweepAt
              + ", once the upload URLs have expired");
      if (sharesSweepTimer) {
        if (sweepTimer == null || !sweepAt.equals(sweepTimerAt)) {
          sweepTimer = Workflow.newTimer(wait);
          sweepTimerAt = sweepAt;
        }
        Promise<Void> timer = sweepTimer;
        Workflow.await(() -> timer.isCompleted() || superseded || deletionPending());
      } else {
        await(wait, () -> superseded || deletionPending());
      }
      if (deletionPending() && deleting()) {
        return state; // deleted meanwhile: the deletion deletes incoming too, and sweeps after
      }
    }
    storage.discardUpload(request.objectKey());
    return state;
  }

  /**
   * A run that gave up still sweeps what a client PUT to incoming, once its upload has been held:
   * before that, incoming holds the only copy of the upload, which an operator's reprocess needs. A
   * sweep that fails too leaves the run's own failure as the one reported.
   */
  private void sweptAfterGivingUp(AttachmentRequest request) {
    if (!uploadHeld || !(localSteps || isSince(SWEEP_FAILED))) {
      return;
    }
    try {
      swept(request, request.uploadUrlsExpireBy(uploadsClosedAt));
    } catch (ActivityFailure sweepFailed) {
      Workflow.getLogger(AttachmentWorkflowImpl.class)
          .warn("the sweep after giving up failed too", sweepFailed);
    }
  }

  /**
   * The path of workflows started before uploads were held: verify, scan and move the object in
   * incoming.
   */
  private AttachmentState processInPlace(AttachmentRequest request) {
    ScanResult scan = request.resumeScan();
    if (scan == null) {
      try {
        storage.verify(request.objectKey(), request.size());
      } catch (ActivityFailure failure) {
        return rejectedOrThrown(request, failure);
      }
      Workflow.setCurrentDetails("Scanning " + request.filename());
      scan = scanner.scan(request.objectKey());
    }
    scanned(scan);

    String refusal = refusal(request, scan);
    if (refusal != null) {
      storage.discardUpload(request.objectKey());
      return finish(REJECTED, refusal);
    }
    if (scan.verdict() != ScanVerdict.CLEAN) {
      storage.quarantine(request.objectKey());
      return finish(QUARANTINED, quarantineReason(scan));
    }

    storage.release(request.objectKey());
    return releasedAndPreviewed(request, null);
  }

  /**
   * An operator judged the verdict a false positive: the object leaves quarantine, and from there
   * on the attachment is released like any clean one, previews and events included. The verdict
   * stays on record.
   */
  private AttachmentState releaseOnOperatorsWord(AttachmentRequest request) {
    String why = "released by " + action.operator() + ": " + action.reason();
    uploadHeld = holdsUploads; // quarantined by a run that held it
    if (request.resumeScan() != null) {
      scanned(request.resumeScan());
    }
    typeCheck(
        request,
        request.resumeScan()); // an operator's word overrules a mismatch; previews follow the bytes
    Workflow.setCurrentDetails("Moving " + request.filename() + " out of quarantine, " + why);
    copies.releaseFromQuarantine(request.objectKey());
    return releasedAndPreviewed(request, why);
  }

  private void scanned(ScanResult scan) {
    state = state.with(scan);
    if (localSteps) {
      verdictToUpsert = scan.verdict().name(); // upserted with the status that follows
      return;
    }
    Workflow.upsertTypedSearchAttributes(
        AttachmentSearchAttributes.SCAN_VERDICT.valueSet(scan.verdict().name()));
  }

  /**
   * The object is in the released bucket: say so, then make previews, which never undo the release.
   */
  private AttachmentState releasedAndPreviewed(AttachmentRequest request, String reason) {
    if (deleting()) {
      return state; // deleted while it was copied: no release to announce, the copy is deleted
    }
    state = state.with(Preview.of(PreviewStatus.PENDING, null));
    advance(RELEASED, reason);
    if (deleting()) {
      return state;
    }

    Workflow.setCurrentDetails("Making previews of " + request.filename());
    Preview preview = optimize(request);
    if (preview.status() == PreviewStatus.PENDING && !deleting()) {
      preview = awaitAsyncPreview(request, preview);
    }
    if (deleting()) {
      return state; // whatever the preview service made is deleted with the file
    }
    state = state.with(preview);
    EventType ready = preview.status() == PreviewStatus.READY ? EventType.PREVIEW_READY : null;
    if (localSteps) {
      return finish(RELEASED, reason, ready); // the preview's record and its event in one step
    }
    finish(RELEASED, reason);
    if (ready != null) {
      emit(ready);
    }
    return state;
  }

  /** A preview never blocks or undoes a release: its failure is recorded, nothing more. */
  private Preview optimize(AttachmentRequest request) {
    try {
      return optimizer.optimize(
          new PreviewRequest(
              request.attachmentId(), request.objectKey(), servedAs, request.filename()));
    } catch (ActivityFailure failure) {
      return Preview.of(PreviewStatus.FAILED, rootMessage(failure));
    }
  }

  /**
   * Large videos are transformed by the preview service in the background; it tells the API, which
   * signals us. The release is published already; this only settles the preview.
   */
  private Preview awaitAsyncPreview(AttachmentRequest request, Preview pending) {
    if (!localSteps && !isSince(ASYNC_PREVIEWS)) {
      return pending.settled(
          PreviewStatus.FAILED, "asynchronous previews are not awaited by this workflow version");
    }
    state = state.with(pending);
    metadata.publish(state);
    Workflow.setCurrentDetails("Waiting for the preview service to finish " + request.filename());
    boolean woken = await(PREVIEW_WAIT, () -> previewNotice != null || deletionPending());
    if (previewNotice == null) {
      return pending.settled(
          PreviewStatus.FAILED,
          woken
              ? "the attachment was deleted"
              : "the preview service did not report within " + PREVIEW_WAIT);
    }
    return previewNotice.ready()
        ? pending.settled(PreviewStatus.READY, null)
        : pending.settled(PreviewStatus.FAILED, previewNotice.reason());
  }

  /**
   * Waits for the client's complete signal, and meanwhile looks for the object itself with growing
   * pauses, so that a client that never calls complete is still processed.
   */
  private boolean awaitUpload(AttachmentRequest request) {
    Instant deadline = request.uploadExpiresAt();
    Duration pause = FIRST_LOOK;
    boolean trustsComplete = localSteps || isSince(TRUSTED_COMPLETE);
    // a run started once the window had closed (a recovery) still looks once; one whose first task
    // was delayed by the first pause looks at once, unless the complete woke it
    boolean look =
        localSteps || !trustsComplete || deadline.toEpochMilli() <= Workflow.currentTimeMillis();
    while (true) {
      Workflow.setCurrentDetails("Waiting for the upload until " + deadline);
      if (localSteps && deletionPending()) {
        return false;
      }
      if (localSteps && completeSignalled) {
        return true;
      }
      if (look && storage.isUploaded(request.objectKey())) {
        return true;
      }
      look = true;
      long left = deadline.toEpochMilli() - Workflow.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      Duration wait = pause.toMillis() < left ? pause : Duration.ofMillis(left);
      await(wait, () -> completeSignalled || deletionPending());
      if (deleting()) {
        return false;
      }
      if (trustsComplete && completeSignalled) {
        return true;
      }
      completeSignalled = false;
      pause =
          pause.multipliedBy(2).compareTo(LONGEST_LOOK) > 0 ? LONGEST_LOOK : pause.multipliedBy(2);
    }
  }

  private void advance(AttachmentStatus status, String reason) {
    advance(status, reason, null);
  }

  /**
   * @param unchanged the event to announce when the status stays as it was (the previews' event)
   */
  private void advance(AttachmentStatus status, String reason, EventType unchanged) {
    boolean changed = state.status() != status;
    state = state.with(status, reason);
    if (localSteps) {
      announce(status, changed, unchanged);
      return;
    }
    Workflow.upsertTypedSearchAttributes(AttachmentSearchAttributes.STATUS.valueSet(status.name()));
    metadata.publish(state);
    releasePublished |= status == RELEASED;
    // once deleted, no event but attachment.deleted: the owner was answered DELETED already
    if (changed && (status == DELETED || !deleting())) {
      EventType type = eventOf(status);
      if (type != null) {
        emit(type);
      }
    }
  }

  /**
   * The {@link #LOCAL_STEPS} way to advance: one upsert of what changed, and one step that
   * publishes the state and hands on its event. PROCESSING is published before the hold empties
   * incoming: the API answers a complete by what incoming holds while the attachment is
   * AWAITING_UPLOAD, and hands out upload URLs until then.
   */
  private void announce(AttachmentStatus status, boolean changed, EventType unchanged) {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>(2);
    if (changed) {
      updates.add(AttachmentSearchAttributes.STATUS.valueSet(status.name()));
    }
    if (verdictToUpsert != null) {
      updates.add(AttachmentSearchAttributes.SCAN_VERDICT.valueSet(verdictToUpsert));
      verdictToUpsert = null;
    }
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(SearchAttributeUpdate<?>[]::new));
    }
    // once deleted, no event but attachment.deleted: the owner was answered DELETED already
    EventType type = status != DELETED && deleting() ? null : changed ? eventOf(status) : unchanged;
    Event event = type == null || !publishesEvents ? null : event(type);
    try {
      metadata.announce(state, event);
    } catch (ActivityFailure failure) {
      // the state was written and only its event's hand-off gave up: a release stands as published
      releasePublished |=
          status == RELEASED && hasType(failure, MetadataActivities.HAND_OFF_FAILED);
      throw failure;
    }
    releasePublished |= status == RELEASED;
  }

  /** The event a change to this status announces; null for none. */
  private static EventType eventOf(AttachmentStatus status) {
    return switch (status) {
      case PROCESSING -> EventType.UPLOADED;
      case RELEASED -> EventType.RELEASED;
      case QUARANTINED -> EventType.QUARANTINED;
      case REJECTED -> EventType.REJECTED;
      case EXPIRED -> EventType.EXPIRED;
      case FAILED -> EventType.FAILED;
      case DELETED -> EventType.DELETED;
      case AWAITING_UPLOAD -> null;
    };
  }

  /** Hands the event to the attachment's webhook workflow; delivery never holds up processing. */
  private void emit(EventType type) {
    if (!publishesEvents) {
      return;
    }
    webhooks.emit(event(type));
  }

  private Event event(EventType type) {
    return Event.of(
        state.attachmentId(),
        owner,
        type,
        Instant.ofEpochMilli(Workflow.currentTimeMillis()),
        // a deletion's event is named after it, whichever run carries it out
        type == EventType.DELETED ? deletion.auditId() : action == null ? null : action.auditId());
  }

  /** Whether the run records the change (new runs do; a replay says what the recording did). */
  private static boolean isSince(String change) {
    return Workflow.getVersion(change, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * Workflow.await with a timeout, whose timer is cancelled when the condition comes first in runs
   * of {@link #LOCAL_STEPS}'s first version: one event, where a timer left running fires later into
   * a workflow task of its own (four). Later runs leave it running ({@link #TIMERS_LEFT_TO_FIRE}).
   */
  private boolean await(Duration timeout, Supplier<Boolean> condition) {
    if (!cancelsTimers) {
      return Workflow.await(timeout, condition);
    }
    List<Promise<Void>> timer = new ArrayList<>(1);
    CancellationScope timing =
        Workflow.newCancellationScope(() -> timer.add(Workflow.newTimer(timeout)));
    timing.run();
    Workflow.await(() -> timer.get(0).isCompleted() || condition.get());
    if (timer.get(0).isCompleted()) {
      return condition.get();
    }
    timing.cancel();
    return true;
  }

  private AttachmentState finish(AttachmentStatus status, String reason) {
    return finish(status, reason, null);
  }

  private AttachmentState finish(AttachmentStatus status, String reason, EventType unchanged) {
    advance(status, reason, unchanged);
    Workflow.setCurrentDetails(status + (reason == null ? "" : ": " + reason));
    return state;
  }

  @Override
  public void uploadCompleted() {
    completeSignalled = true;
  }

  @Override
  public void delete(OperatorAction request) {
    if (deletion == null) {
      deletion = request;
    }
  }

  @Override
  public void supersede() {
    superseded = true;
  }

  @Override
  public void previewProcessed(PreviewNotice notice) {
    previewNotice = notice;
  }

  @Override
  public AttachmentState state() {
    return state;
  }

  private static boolean hasType(ActivityFailure failure, String type) {
    return failure.getCause() instanceof ApplicationFailure cause && type.equals(cause.getType());
  }

  private static boolean isBusinessFailure(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure cause
        && BUSINESS_FAILURES.contains(cause.getType());
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof ApplicationFailure app ? app.getOriginalMessage() : cause.getMessage();
  }

  /**
   * Every activity's timeouts and retries, in one place. Steps that move the whole file (scan,
   * copy) get time in proportion to its size; the light steps retry for {@code giveUpAfter} before
   * the attachment is FAILED.
   */
  private void stubs(TaskQueues queues, long size, Duration giveUpAfter, boolean reprocess) {
    Duration wholeFile = Duration.ofMinutes(2).plusSeconds(size / BYTES_PER_SECOND_AT_WORST);
    RetryOptions infrastructure =
        RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2)
            .setMaximumInterval(Duration.ofMinutes(1))
            .setDoNotRetry(StorageActivities.UPLOAD_MISSING, StorageActivities.SIZE_MISMATCH)
            .build();
    ActivityOptions light =
        ActivityOptions.newBuilder()
            .setTaskQueue(queues.main())
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setScheduleToCloseTimeout(giveUpAfter)
            .setRetryOptions(infrastructure)
            .build();
    ActivityOptions copy =
        ActivityOptions.newBuilder(light)
            .setStartToCloseTimeout(wholeFile)
            .setHeartbeatTimeout(Duration.ofMinutes(5))
            .setScheduleToCloseTimeout(giveUpAfter.plus(wholeFile.multipliedBy(3)))
            .build();
    storage =
        Workflow.newActivityStub(
            StorageActivities.class,
            light,
            Map.of(
                "IsUploaded", summary(light, "Look for the upload in the incoming bucket"),
                "Verify", summary(light, "Check the upload against what the client declared"),
                "Hold",
                    summary(
                        copy,
                        "Check the upload against what was declared, move it out of the client's reach"),
                "ReleaseHeld", summary(copy, "Copy the scanned object to the released bucket"),
                "DiscardHeld", summary(light, "Delete the held object"),
                "Release", summary(copy, "Copy to the released bucket, delete from incoming"),
                "Quarantine", summary(copy, "Copy to the quarantine bucket, delete from incoming"),
                "ReleaseFromQuarantine",
                    summary(
                        copy, "Copy from quarantine to the released bucket, on an operator's word"),
                "DiscardUpload", summary(light, "Delete what is left in the incoming bucket"),
                "DeleteEverywhere",
                    summary(
                        light,
                        "Delete the deleted attachment's file from every bucket, abort its upload")));
    copies = storage;
    metadata =
        Workflow.newActivityStub(
            MetadataActivities.class,
            light,
            Map.of(
                "Publish", summary(light, "Publish the attachment's state to the metadata store")));
    if (localSteps) {
      localStubs(infrastructure, size, giveUpAfter, wholeFile, reprocess);
    }
    webhooks =
        Workflow.newActivityStub(
            WebhookActivities.class, summary(light, "Hand the event to webhook delivery"));
    // The scanner being down means files wait: the scan retries for hours and nothing is released
    // meanwhile.
    scanner =
        Workflow.newActivityStub(
            ScannerActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(queues.scan())
                .setSummary("Stream the object through clamd")
                .setStartToCloseTimeout(wholeFile)
                .setHeartbeatTimeout(Duration.ofMinutes(1))
                .setScheduleToCloseTimeout(Duration.ofHours(12))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setBackoffCoefficient(2)
                        .setMaximumInterval(Duration.ofMinutes(2))
                        .build())
                .build());
    optimizer =
        Workflow.newActivityStub(
            OptimizerActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(queues.media())
                .setSummary("Make web previews")
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setScheduleToCloseTimeout(Duration.ofMinutes(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setMaximumAttempts(5)
                        .build())
                .build(),
            Map.of(
                "DeletePreviews",
                ActivityOptions.newBuilder()
                    .setTaskQueue(queues.media())
                    .setSummary("Delete the deleted attachment's previews")
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setScheduleToCloseTimeout(giveUpAfter)
                    .setRetryOptions(infrastructure)
                    .build()));
  }

  /**
   * The light steps as local activities: run by this worker inside the workflow task, each recorded
   * as one marker instead of an activity task's three events and a workflow task's three more.
   * Their retries and give-up time are the activities'. A run that carries a verdict (an operator's
   * reprocess) holds with an activity: a local one that ran and was not recorded (the worker died
   * before the task completed) runs again, and the second hold would not know that the first copied
   * new bytes out of incoming, which the verdict is not about.
   *
   * @param reprocess whether the run carries a verdict from before
   */
  private void localStubs(
      RetryOptions infrastructure,
      long size,
      Duration giveUpAfter,
      Duration wholeFile,
      boolean reprocess) {
    LocalActivityOptions quick =
        LocalActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setScheduleToCloseTimeout(giveUpAfter)
            .setRetryOptions(infrastructure)
            .build();
    storage =
        Workflow.newLocalActivityStub(
            StorageActivities.class,
            quick,
            Map.of(
                "IsUploaded", summary(quick, "Look for the upload in the incoming bucket"),
                "DiscardHeld", summary(quick, "Delete the held object"),
                "DiscardUpload", summary(quick, "Delete what is left in the incoming bucket"),
                "DeleteEverywhere",
                    summary(
                        quick,
                        "Delete the deleted attachment's file from every bucket, abort its upload")));
    metadata =
        Workflow.newLocalActivityStub(
            MetadataActivities.class,
            summary(
                quick,
                "Publish the attachment's state to the metadata store, hand its event to delivery"));
    if (size <= LOCAL_COPY_LIMIT && !reprocess) {
      // a copy this small takes seconds: the light steps' budget covers its attempts
      LocalActivityOptions copy =
          LocalActivityOptions.newBuilder(quick).setStartToCloseTimeout(wholeFile).build();
      copies =
          Workflow.newLocalActivityStub(
              StorageActivities.class,
              copy,
              Map.of(
                  "Hold",
                      summary(
                          copy,
                          "Check the upload against what was declared, move it out of the client's reach"),
                  "ReleaseHeld", summary(copy, "Copy the scanned object to the released bucket"),
                  "ReleaseFromQuarantine",
                      summary(
                          copy,
                          "Copy from quarantine to the released bucket, on an operator's word")));
    }
  }

  private static LocalActivityOptions summary(LocalActivityOptions options, String summary) {
    return LocalActivityOptions.newBuilder(options).setSummary(summary).build();
  }

  private static ActivityOptions summary(ActivityOptions options, String summary) {
    return ActivityOptions.newBuilder(options).setSummary(summary).build();
  }
}
