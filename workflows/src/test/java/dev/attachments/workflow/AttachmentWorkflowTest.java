package dev.attachments.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attachments.preview.PreviewStatus;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.TypeMismatchPolicy;
import dev.attachments.scan.UnscannablePolicy;
import dev.attachments.webhook.Event;
import dev.attachments.webhook.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AttachmentWorkflowTest {
  private static final long SIZE = 1024;
  private static final Duration URL_TTL = Duration.ofMinutes(15);

  /**
   * How long the light steps retry. They are local activities, whose budget runs on the worker's
   * clock, not on the test server's skipped time: a step that keeps failing gives up after these
   * real seconds (three attempts, 1 s and 2 s apart).
   */
  private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(4);

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private final FakeActivities fakes = new FakeActivities();
  private final TaskQueues queues = new TaskQueues("main-q", "scan-q", "media-q");

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    AttachmentSearchAttributes.ALL.forEach(
        (name, type) ->
            env.registerSearchAttribute(
                name,
                type.equals("INT")
                    ? IndexedValueType.INDEXED_VALUE_TYPE_INT
                    : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    Worker main = env.newWorker(queues.main());
    main.registerWorkflowImplementationTypes(AttachmentWorkflowImpl.class);
    main.registerActivitiesImplementations(fakes);
    env.newWorker(queues.scan()).registerActivitiesImplementations(fakes);
    env.newWorker(queues.media()).registerActivitiesImplementations(fakes);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private AttachmentRequest request(String declaredSha256) {
    return request(declaredSha256, Duration.ofHours(24));
  }

  private AttachmentRequest request(String declaredSha256, Duration uploadTtl) {
    return request(declaredSha256, uploadTtl, SIZE);
  }

  private AttachmentRequest request(String declaredSha256, Duration uploadTtl, long size) {
    String id = UUID.randomUUID().toString();
    Instant expires = Instant.ofEpochMilli(env.currentTimeMillis()).plus(uploadTtl);
    return new AttachmentRequest(
        id,
        "acme",
        "logo.png",
        "image/png",
        size,
        declaredSha256,
        "acme/" + id,
        expires,
        queues,
        null,
        null,
        null,
        GIVE_UP_AFTER,
        URL_TTL,
        null);
  }

  /** A request as {@link #request(String)} makes it, with the settings a test varies. */
  private AttachmentRequest request(
      UnscannablePolicy unscannablePolicy,
      Duration giveUpAfter,
      TypeMismatchPolicy typeMismatchPolicy) {
    AttachmentRequest base = request(null);
    return new AttachmentRequest(
        base.attachmentId(),
        base.owner(),
        base.filename(),
        base.contentType(),
        base.size(),
        null,
        base.objectKey(),
        base.uploadExpiresAt(),
        base.queues(),
        unscannablePolicy,
        null,
        null,
        giveUpAfter == null ? GIVE_UP_AFTER : giveUpAfter,
        URL_TTL,
        typeMismatchPolicy);
  }

  private WorkflowOptions.Builder options(AttachmentRequest request) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(AttachmentRequest.workflowId(request.attachmentId()))
        .setTaskQueue(queues.main());
  }

  private AttachmentWorkflow start(AttachmentRequest request) {
    AttachmentWorkflow workflow =
        client.newWorkflowStub(
            AttachmentWorkflow.class,
            options(request)
                .setStartDelay(AttachmentRequest.FIRST_LOOK) // as the API starts it
                .build());
    WorkflowClient.start(workflow::process, request);
    return workflow;
  }

  private AttachmentState uploadAndComplete(AttachmentRequest request) {
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    return WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
  }

  /**
   * With {@code -DrecordHistories=true}, keeps this run's history for {@link
   * AttachmentWorkflowReplayTest}: record again only when a change to the workflow is meant to be
   * incompatible (and guarded by getVersion).
   */
  private void record(String name, AttachmentRequest request) throws Exception {
    if (Boolean.getBoolean("recordHistories")) {
      String json =
          client.fetchHistory(AttachmentRequest.workflowId(request.attachmentId())).toJson(true);
      Files.writeString(Path.of("src/test/resources/histories", name + ".json"), json);
    }
  }

  @Test
  void cleanUploadIsReleasedAndPublishedInStageOrder() throws Exception {
    AttachmentRequest request = request(null);
    AttachmentState state = uploadAndComplete(request);
    record("sweep-released", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(state.scan().verdict()).isEqualTo(ScanVerdict.CLEAN);
    assertThat(state.scan().etag())
        .as("the verdict names the object it is about")
        .isEqualTo("etag-1");
    assertThat(state.preview().status()).isEqualTo(PreviewStatus.NOT_CONFIGURED);
    assertThat(fakes.events.subList(0, 2))
        .as("PROCESSING is published beside the hold")
        .containsExactlyInAnyOrder("publish:PROCESSING", "hold");
    assertThat(fakes.events.subList(2, fakes.events.size()))
        .containsExactly("scan", "release", "publish:RELEASED", "publish:RELEASED", "discard");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.RELEASED);
    assertThat(fakes.emitted).extracting(Event::id).doesNotHaveDuplicates();
  }

  @Test
  void cleanBytesThatAreNotOfTheDeclaredTypeAreRejectedWithBothTypesAndNeverReleased()
      throws Exception {
    fakes.detectedType = "application/x-msdownload; format=pe32";
    AttachmentRequest request = request(null);

    AttachmentState state = uploadAndComplete(request);
    record("sweep-mismatch-rejected", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.REJECTED);
    assertThat(state.reason())
        .contains("declared image/png", "application/x-msdownload", "runs or renders");
    assertThat(fakes.events).contains("discard-held").doesNotContain("release");
  }

  @Test
  void aTypeMismatchIsHeldInQuarantineWhenThePolicySaysSo() throws Exception {
    fakes.detectedType = "text/html";
    AttachmentRequest request = request(null, null, TypeMismatchPolicy.HOLD);

    AttachmentState state = uploadAndComplete(request);
    record("sweep-mismatch-held", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.QUARANTINED);
    assertThat(state.reason()).contains("declared image/png", "text/html");
    assertThat(fakes.events).doesNotContain("release", "discard-held");
  }

  @Test
  void previewsAreMadeForTheTypeTheBytesConfirmed() {
    AttachmentRequest png = request(null);
    AttachmentRequest request =
        new AttachmentRequest(
            png.attachmentId(),
            png.owner(),
            "photo.jpg",
            "image/jpg",
            png.size(),
            null,
            png.objectKey(),
            png.uploadExpiresAt(),
            png.queues(),
            null,
            null,
            null,
            null,
            URL_TTL,
            null);
    fakes.detectedType = "image/jpeg";

    AttachmentState state = uploadAndComplete(request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.previewedAs).isEqualTo("image/jpeg");
  }

  @Test
  void infectedUploadIsQuarantinedAndNeverReleased() throws Exception {
    fakes.verdict = ScanVerdict.INFECTED;
    AttachmentRequest request = request(null);

    AttachmentState state = uploadAndComplete(request);
    record("sweep-quarantined", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.QUARANTINED);
    assertThat(state.reason()).contains("Eicar-Test-Signature");
    assertThat(fakes.events.subList(0, 2)).containsExactlyInAnyOrder("publish:PROCESSING", "hold");
    assertThat(fakes.events.subList(2, fakes.events.size()))
        .as("the held object is in the quarantine bucket already")
        .containsExactly("scan", "publish:QUARANTINED", "discard");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.QUARANTINED);
  }

  @Test
  void unscannableUploadIsHeldInQuarantine() {
    fakes.verdict = ScanVerdict.UNSCANNABLE;

    AttachmentState state = uploadAndComplete(request(null));

    assertThat(state.status()).isEqualTo(AttachmentStatus.QUARANTINED);
    assertThat(state.scan().verdict()).isEqualTo(ScanVerdict.UNSCANNABLE);
    assertThat(fakes.events).contains("hold").doesNotContain("release", "discard-held");
  }

  @Test
  void unscannableUploadIsRejectedWhenThePolicySaysSo() {
    fakes.verdict = ScanVerdict.UNSCANNABLE;
    AttachmentRequest request = request(UnscannablePolicy.REJECT, null, null);

    AttachmentState state = uploadAndComplete(request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.REJECTED);
    assertThat(state.reason()).contains("could not be scanned").contains("Limits.Exceeded");
    assertThat(fakes.events).contains("discard-held").doesNotContain("release");
  }

  @Test
  void uploadOfAnotherSizeIsRejectedWithoutScanning() throws Exception {
    fakes.storedSize = SIZE + 1;
    AttachmentRequest request = request(null);

    AttachmentState state = uploadAndComplete(request);
    record("sweep-rejected", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.REJECTED);
    assertThat(state.reason()).contains("1025 bytes").contains("1024");
    assertThat(fakes.events).contains("discard").doesNotContain("hold", "scan", "release");
  }

  @Test
  void uploadCarryingHeadersNobodyAskedForIsRejectedWithoutScanning() {
    fakes.unexpectedHeaders = true;

    AttachmentState state = uploadAndComplete(request(null));

    assertThat(state.status()).isEqualTo(AttachmentStatus.REJECTED);
    assertThat(state.reason()).contains("Content-Encoding");
    assertThat(fakes.events).contains("discard").doesNotContain("hold", "scan", "release");
  }

  @Test
  void uploadWithAnotherDigestThanDeclaredIsRejected() {
    AttachmentState state = uploadAndComplete(request("cd".repeat(32)));

    assertThat(state.status()).isEqualTo(AttachmentStatus.REJECTED);
    assertThat(state.reason()).contains("SHA-256");
    assertThat(fakes.events).doesNotContain("release");
  }

  @Test
  void uploadThatNeverArrivesExpiresAndLeavesNothingBehind() throws Exception {
    AttachmentRequest request = request(null, Duration.ofHours(1));
    AttachmentWorkflow workflow = start(request);

    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
    record("sweep-expired", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.EXPIRED);
    assertThat(fakes.emitted).extracting(Event::type).containsExactly(EventType.EXPIRED);
    assertThat(env.currentTimeMillis())
        .as("swept once the last URL, which lives no longer than the upload window, expired")
        .isGreaterThanOrEqualTo(
            request.uploadExpiresAt().plus(AttachmentWorkflowImpl.SWEEP_MARGIN).toEpochMilli());
    assertThat(fakes.events).containsExactly("discard", "publish:EXPIRED", "discard");
  }

  @Test
  void aFileTooLargeToCopyInTheTaskIsCompletedWhileTheWorkflowWaitsAndIsReleased()
      throws Exception {
    long size = AttachmentWorkflowImpl.LOCAL_COPY_LIMIT + 1;
    AttachmentRequest request = request(null, Duration.ofHours(24), size);
    fakes.storedSize = size;
    AttachmentWorkflow workflow = start(request);
    // the first look finds nothing yet (a large upload takes a while): the workflow waits on a
    // timer
    env.sleep(AttachmentRequest.FIRST_LOOK.plusSeconds(1));
    fakes.uploaded = true;
    // as the API completes: signal-with-start, which finds the run waiting
    AttachmentWorkflow completing =
        client.newWorkflowStub(
            AttachmentWorkflow.class,
            options(request)
                .setWorkflowIdReusePolicy(
                    io.temporal.api.enums.v1.WorkflowIdReusePolicy
                        .WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .build());
    io.temporal.client.BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(completing::process, request);
    batch.add(completing::uploadCompleted);
    client.signalWithStart(batch);
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
    record("sweep-large-released", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.events).contains("hold", "scan", "release");
  }

  /**
   * The Java test server (the embedded stack's Temporal without the CLI) refuses a workflow task
   * that cancels a timer which fired while the task was out, and never sends the task again
   * (temporalio/sdk-java#3088): the run would wait for ever. The complete comes just before the
   * next look and its task takes a moment (a slow database), so the look's timer fires meanwhile.
   */
  @Test
  @Timeout(60) // stranded, it would wait for ever
  void aCompleteWhoseTaskOutlastsTheNextLooksTimerIsNotStranded() {
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    // the looks at 2, 4 (after a pause of 2) and 8 s (after 4) find nothing: complete just before
    // the third
    env.sleep(AttachmentRequest.FIRST_LOOK.multipliedBy(4).minusMillis(200));
    fakes.uploaded = true;
    fakes.announceMillis = 600;
    workflow.uploadCompleted();

    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
  }

  @Test
  void uploadWhoseClientNeverCallsCompleteIsStillProcessed() {
    AttachmentWorkflow workflow = start(request(null));
    env.sleep(Duration.ofMinutes(30));
    assertThat(workflow.state().status()).isEqualTo(AttachmentStatus.AWAITING_UPLOAD);

    fakes.uploaded = true;
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
  }

  @Test
  void scannerDownForAWhileDelaysTheReleaseButNeverSkipsTheScan() {
    fakes.scannerDownFor = 5;
    AttachmentWorkflow workflow = start(request(null));
    fakes.uploaded = true;
    workflow.uploadCompleted();

    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.scanAttempts).hasValue(6);
    // every failed attempt came before the release, none after
    assertThat(fakes.events.indexOf("release")).isGreaterThan(fakes.events.lastIndexOf("scan"));
  }

  @Test
  void scannerDownForGoodFailsTheAttachmentInsteadOfReleasingIt() throws Exception {
    fakes.scannerDownFor = Integer.MAX_VALUE;
    AttachmentRequest request = request(null);

    uploadAndCompleteExpectingFailure(request);
    record("sweep-failed", request);
    assertThat(fakes.published.get(fakes.published.size() - 1).status())
        .isEqualTo(AttachmentStatus.FAILED);
    assertThat(fakes.published.get(fakes.published.size() - 1).reason())
        .contains("processing gave up");
    assertThat(fakes.events).doesNotContain("release", "quarantine");
    assertThat(fakes.events)
        .as("what a client PUT since the hold is swept all the same")
        .endsWith("discard");
  }

  @Test
  void aRunThatGivesUpBeforeHoldingTheUploadLeavesItInIncomingForAReprocess() {
    fakes.holdBroken = true;
    AttachmentRequest request = request(null);

    uploadAndCompleteExpectingFailure(request);

    assertThat(fakes.published.get(fakes.published.size() - 1).status())
        .isEqualTo(AttachmentStatus.FAILED);
    assertThat(fakes.events)
        .as("the only copy of the upload is kept")
        .doesNotContain("discard", "hold");
  }

  @Test
  void reprocessingAFailedAttachmentResumesAtTheFailedStepWithoutScanningAgain() throws Exception {
    fakes.releaseBroken =
        true; // S3 refuses every copy: the release step fails until retries run out
    AttachmentRequest request = request(null);
    uploadAndCompleteExpectingFailure(request);
    AttachmentState failed = fakes.published.get(fakes.published.size() - 1);
    assertThat(failed.status()).isEqualTo(AttachmentStatus.FAILED);
    assertThat(fakes.releaseAttempts.get()).isGreaterThanOrEqualTo(3);
    assertThat(fakes.scanAttempts).hasValue(1);

    fakes.releaseBroken = false; // the fault is fixed; an operator reprocesses
    fakes.heldFromIncoming = false; // the bytes are where the first run held them
    AttachmentWorkflow again =
        start(request.rerun(failed.scan(), action(OperatorAction.Kind.REPROCESS)));
    AttachmentState state = WorkflowStub.fromTyped(again).getResult(AttachmentState.class);
    record("sweep-reprocessed", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.scanAttempts).as("the scan is not repeated").hasValue(1);
    assertThat(fakes.events.stream().filter("release"::equals)).hasSize(1);
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .as("the upload is not announced twice")
        .containsExactly(EventType.UPLOADED, EventType.FAILED, EventType.RELEASED);
  }

  @Test
  void reprocessThatFailsAgainReportsItsOwnFailure() {
    fakes.releaseBroken = true;
    AttachmentRequest request = request(null);
    uploadAndCompleteExpectingFailure(request);
    AttachmentState failed = fakes.published.get(fakes.published.size() - 1);

    AttachmentWorkflow again =
        start(request.rerun(failed.scan(), action(OperatorAction.Kind.REPROCESS)));
    assertThatThrownBy(() -> WorkflowStub.fromTyped(again).getResult(AttachmentState.class))
        .isInstanceOf(WorkflowFailedException.class);

    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.FAILED, EventType.FAILED);
    assertThat(fakes.emitted).extracting(Event::id).doesNotHaveDuplicates();
  }

  @Test
  void operatorsReleaseMovesTheFileOutOfQuarantineAndAnnouncesIt() throws Exception {
    fakes.verdict = ScanVerdict.INFECTED;
    AttachmentRequest request = request(null);
    AttachmentState quarantined = uploadAndComplete(request);
    assertThat(quarantined.status()).isEqualTo(AttachmentStatus.QUARANTINED);

    OperatorAction release =
        new OperatorAction(
            UUID.randomUUID().toString(),
            OperatorAction.Kind.RELEASE,
            "alice",
            "vendor's test file");
    AttachmentWorkflow released = start(request.rerun(quarantined.scan(), release));
    AttachmentState state = WorkflowStub.fromTyped(released).getResult(AttachmentState.class);
    record("sweep-released-by-operator", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(state.reason()).isEqualTo("released by alice: vendor's test file");
    assertThat(state.scan().verdict())
        .as("the verdict stays on record")
        .isEqualTo(ScanVerdict.INFECTED);
    assertThat(state.preview().status()).isEqualTo(PreviewStatus.NOT_CONFIGURED);
    assertThat(fakes.scanAttempts).as("no new scan").hasValue(1);
    assertThat(fakes.events)
        .containsSubsequence(
            "hold", "publish:QUARANTINED", "release-from-quarantine", "publish:RELEASED")
        .doesNotContain("release");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.QUARANTINED, EventType.RELEASED);
  }

  @Test
  void stepsGiveUpAfterTheConfiguredTime() {
    fakes.releaseBroken = true;
    AttachmentRequest request = request(null, Duration.ofSeconds(2), null);

    uploadAndCompleteExpectingFailure(request);

    assertThat(fakes.published.get(fakes.published.size() - 1).status())
        .isEqualTo(AttachmentStatus.FAILED);
    // the run gives up within minutes, then waits for its upload URLs to expire before it sweeps
    // incoming
    assertThat(runLength(request))
        .as("the run's length by its history")
        .isLessThan(Duration.ofMinutes(10).plus(URL_TTL));
  }

  /**
   * Scans CLEAN, fails at the release until the run gives up, then runs {@code meanwhile} and has
   * an operator reprocess: the second run's result.
   */
  private AttachmentState reprocessedAfterAFailedRelease(Runnable meanwhile) {
    fakes.releaseBroken = true;
    AttachmentRequest request = request(null);
    uploadAndCompleteExpectingFailure(request);
    AttachmentState failed = fakes.published.get(fakes.published.size() - 1);

    fakes.releaseBroken = false;
    meanwhile.run();
    AttachmentWorkflow again =
        start(request.rerun(failed.scan(), action(OperatorAction.Kind.REPROCESS)));
    return WorkflowStub.fromTyped(again).getResult(AttachmentState.class);
  }

  private void uploadAndCompleteExpectingFailure(AttachmentRequest request) {
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class))
        .isInstanceOf(WorkflowFailedException.class);
  }

  private static OperatorAction action(OperatorAction.Kind kind) {
    return new OperatorAction(UUID.randomUUID().toString(), kind, "alice", "the fault is fixed");
  }

  @Test
  void failureAfterTheReleaseNeverTurnsItIntoAFailedAttachment() throws Exception {
    fakes.previewRecordBroken = true;
    AttachmentRequest request = request(null);

    uploadAndCompleteExpectingFailure(request);
    record("sweep-failed-after-release", request);

    assertThat(fakes.published)
        .extracting(AttachmentState::status)
        .contains(AttachmentStatus.RELEASED)
        .doesNotContain(AttachmentStatus.FAILED);
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.RELEASED);
  }

  @Test
  void aReleaseWhoseEventCannotBeHandedOnStaysReleasedAndIsNeverCalledFailed() {
    fakes.releasedHandOffBroken = true;
    AttachmentRequest request = request(null);

    uploadAndCompleteExpectingFailure(request);

    assertThat(fakes.published)
        .extracting(AttachmentState::status)
        .as("the store said RELEASED, and nothing after contradicts it")
        .contains(AttachmentStatus.RELEASED)
        .doesNotContain(AttachmentStatus.FAILED);
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .as("no attachment.failed for a file its owner can download")
        .containsExactly(EventType.UPLOADED);
  }

  @Test
  void previewFailureNeverUndoesTheRelease() {
    fakes.optimizerBroken = true;

    AttachmentState state = uploadAndComplete(request(null));

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(state.preview().status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(state.preview().reason()).contains("corrupt image");
  }

  @Test
  void asynchronousPreviewIsAwaitedUntilThePreviewServiceReports() {
    fakes.optimizerAsync = true;
    AttachmentWorkflow workflow = start(request(null));
    fakes.uploaded = true;
    workflow.uploadCompleted();
    env.sleep(Duration.ofMinutes(10));
    assertThat(workflow.state().status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(workflow.state().preview().status()).isEqualTo(PreviewStatus.PENDING);

    workflow.previewProcessed(new dev.attachments.preview.PreviewNotice(true, null));
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(state.preview().status()).isEqualTo(PreviewStatus.READY);
    assertThat(state.preview().urls()).containsKey("poster");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.RELEASED, EventType.PREVIEW_READY);
    assertThat(fakes.published.stream().map(p -> p.preview() == null ? null : p.preview().status()))
        .containsSubsequence(PreviewStatus.PENDING, PreviewStatus.READY);
  }

  @Test
  void asynchronousPreviewThatNeverReportsFailsWithoutTouchingTheRelease() {
    fakes.optimizerAsync = true;

    AttachmentState state = uploadAndComplete(request(null));

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(state.preview().status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(state.preview().reason()).contains("did not report");
    assertThat(state.preview().urls()).isEmpty();
  }

  @Test
  void repeatedCompleteSignalsAreHarmless() {
    AttachmentWorkflow workflow = start(request(null));
    fakes.uploaded = true;
    workflow.uploadCompleted();
    workflow.uploadCompleted();
    workflow.uploadCompleted();

    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.events.stream().filter("release"::equals)).hasSize(1);
  }

  @Test
  void reprocessWithAVerdictOnOtherBytesThanTheHeldOnesScansAgain() {
    AttachmentState state =
        reprocessedAfterAFailedRelease(
            () -> {
              // the hold finds bytes held already, but another object than the one scanned
              fakes.heldFromIncoming = false;
              fakes.heldEtag = "etag-2";
            });

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.scanAttempts).as("the old verdict is not about these bytes").hasValue(2);
    assertThat(state.scan().etag()).isEqualTo("etag-2");
  }

  @Test
  void reprocessThatHoldsBytesPutSinceScansThemEvenUnderTheSameEtag() {
    // a client PUT again meanwhile: same length, same MD5, so the same ETag
    AttachmentState state = reprocessedAfterAFailedRelease(() -> fakes.heldFromIncoming = true);

    assertThat(state.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.scanAttempts).as("an ETag is no proof of the same bytes").hasValue(2);
  }

  @Test
  void incomingIsSweptOnlyOnceTheLastUploadUrlHasExpired() {
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    env.sleep(Duration.ofMinutes(5));
    assertThat(workflow.state().status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(fakes.events)
        .as("a URL handed out just before PROCESSING still works")
        .doesNotContain("discard");

    WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(fakes.events).endsWith("discard");
    assertThat(runLength(request))
        .isGreaterThanOrEqualTo(URL_TTL.plus(AttachmentWorkflowImpl.SWEEP_MARGIN));
  }

  @Test
  void anOperatorsNewRunCutsTheSweepWaitShort() {
    fakes.verdict = ScanVerdict.INFECTED;
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    env.sleep(Duration.ofMinutes(1));
    assertThat(workflow.state().status()).isEqualTo(AttachmentStatus.QUARANTINED);

    workflow.supersede();
    WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(fakes.events).endsWith("discard");
    assertThat(runLength(request)).isLessThan(URL_TTL);
  }

  private static OperatorAction deletion() {
    return new OperatorAction(
        UUID.randomUUID().toString(), OperatorAction.Kind.DELETE, "acme", "deleted by its owner");
  }

  @Test
  void deletingAnUploadStillAwaitedCancelsItAndSweepsIncomingOnceItsUrlsExpired() throws Exception {
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    env.sleep(Duration.ofSeconds(5));
    OperatorAction deletion = deletion();

    workflow.delete(deletion);
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
    record("sweep-deleted-awaiting-upload", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(state.reason()).isEqualTo("deleted by its owner");
    assertThat(fakes.events)
        .containsExactly("delete-everywhere", "delete-previews", "publish:DELETED", "discard");
    assertThat(fakes.emitted)
        .extracting(Event::id)
        .containsExactly(
            Event.of(
                    request.attachmentId(),
                    "acme",
                    EventType.DELETED,
                    Instant.EPOCH,
                    deletion.auditId())
                .id());
    assertThat(runLength(request))
        .as("a URL handed out before the deletion may still PUT: incoming is swept after it")
        .isGreaterThanOrEqualTo(URL_TTL);
  }

  @Test
  void deletingAReleasedAttachmentDeletesItsFileAndPreviewsAndSaysSo() throws Exception {
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    env.sleep(Duration.ofMinutes(1));
    assertThat(workflow.state().status()).isEqualTo(AttachmentStatus.RELEASED);

    workflow.delete(deletion());
    workflow.delete(deletion()); // a repeated DELETE: the first one counts
    // the test server's clock stands still until the result is awaited: no sweep wait is over yet
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (workflow.state().status() != AttachmentStatus.DELETED && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(workflow.state().status())
        .as("deleted at once, not once incoming is swept")
        .isEqualTo(AttachmentStatus.DELETED);
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
    record("sweep-deleted-released", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(state.preview()).as("no preview is left to show").isNull();
    assertThat(fakes.events)
        .containsSubsequence(
            "release",
            "publish:RELEASED",
            "delete-everywhere",
            "delete-previews",
            "publish:DELETED");
    assertThat(fakes.events.stream().filter("delete-everywhere"::equals)).hasSize(1);
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.RELEASED, EventType.DELETED);
    assertThat(fakes.events)
        .as("incoming is swept once, after the deletion, when the upload URLs have expired")
        .endsWith("delete-everywhere", "delete-previews", "publish:DELETED", "discard")
        .containsOnlyOnce("discard");
  }

  @Test
  void deletingWhileCloudinaryMakesAsynchronousPreviewsDeletesThemAndAnnouncesNoPreview()
      throws Exception {
    fakes.optimizerAsync = true;
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    env.sleep(Duration.ofMinutes(1));
    assertThat(workflow.state().preview().status()).isEqualTo(PreviewStatus.PENDING);

    workflow.delete(deletion());
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
    record("sweep-deleted-awaiting-previews", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(fakes.events).containsSubsequence("delete-everywhere", "delete-previews");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.RELEASED, EventType.DELETED);
  }

  @Test
  void deletingARunThatGaveUpWhileItWaitsToSweepStillDeletes() throws Exception {
    fakes.releaseBroken = true;
    // gives up before the upload URLs expire
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    // the release copy's budget, on the worker's clock (a local activity)
    long deadline = System.nanoTime() + GIVE_UP_AFTER.multipliedBy(5).toNanos();
    while (workflow.state().status() != AttachmentStatus.FAILED && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(workflow.state().status()).isEqualTo(AttachmentStatus.FAILED);

    workflow.delete(deletion());
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);

    assertThat(state.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(fakes.events)
        .containsSubsequence("publish:FAILED", "delete-everywhere", "publish:DELETED");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.FAILED, EventType.DELETED);
  }

  @Test
  void deletingWhileTheScannerIsDownCutsTheScanShortAndNothingIsReleased() throws Exception {
    fakes.scannerDownFor = Integer.MAX_VALUE;
    AttachmentRequest request = request(null);
    AttachmentWorkflow workflow = start(request);
    fakes.uploaded = true;
    workflow.uploadCompleted();
    while (fakes.scanAttempts.get() < 1) {
      Thread.sleep(20);
    }

    workflow.delete(deletion());
    AttachmentState state = WorkflowStub.fromTyped(workflow).getResult(AttachmentState.class);
    record("sweep-deleted-while-scanning", request);

    assertThat(state.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(state.scan()).as("there was no verdict").isNull();
    assertThat(fakes.scanAttempts.get())
        .as("the scan is not retried for hours once the attachment is deleted")
        .isLessThan(5);
    assertThat(fakes.events)
        .containsSubsequence("hold", "scan", "delete-everywhere", "publish:DELETED")
        .doesNotContain("release", "publish:RELEASED", "publish:QUARANTINED", "publish:FAILED");
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(EventType.UPLOADED, EventType.DELETED);
  }

  @Test
  void deletingAfterTheRunClosedRunsAgainToDeleteAndNamesTheEventAfterTheDeletion()
      throws Exception {
    fakes.verdict = ScanVerdict.INFECTED;
    AttachmentRequest request = request(null);
    AttachmentState quarantined = uploadAndComplete(request);
    assertThat(quarantined.status()).isEqualTo(AttachmentStatus.QUARANTINED);
    OperatorAction deletion = deletion();

    AttachmentWorkflow again = start(request.rerun(quarantined.scan(), deletion));
    AttachmentState state = WorkflowStub.fromTyped(again).getResult(AttachmentState.class);
    record("sweep-deleted-after-close", request);
    // a DELETE repeated after that: the same event, which webhook delivery records once
    AttachmentWorkflow repeated = start(request.rerun(quarantined.scan(), deletion));
    WorkflowStub.fromTyped(repeated).getResult(AttachmentState.class);

    assertThat(state.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(state.scan().verdict())
        .as("the verdict stays on record")
        .isEqualTo(ScanVerdict.INFECTED);
    assertThat(fakes.scanAttempts).hasValue(1);
    assertThat(fakes.emitted)
        .extracting(Event::type)
        .containsExactly(
            EventType.UPLOADED, EventType.QUARANTINED, EventType.DELETED, EventType.DELETED);
    assertThat(fakes.emitted.get(2).id()).isEqualTo(fakes.emitted.get(3).id());
  }

  private Duration runLength(AttachmentRequest request) {
    var events =
        client.fetchHistory(AttachmentRequest.workflowId(request.attachmentId())).getEvents();
    return Duration.ofSeconds(
        events.get(events.size() - 1).getEventTime().getSeconds()
            - events.get(0).getEventTime().getSeconds());
  }
}
