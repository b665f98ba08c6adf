package dev.attachments.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays recorded histories of every workflow path against the current code: a change that would
 * break workflows already running fails here (guard it with Workflow.getVersion).
 */
class AttachmentWorkflowReplayTest {
  private static final Path HISTORIES = Path.of("src/test/resources/histories");

  static List<Path> histories() throws IOException {
    try (Stream<Path> files = Files.list(HISTORIES)) {
      List<Path> found = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
      assertThat(found)
          .extracting(f -> f.getFileName().toString())
          .contains(
              "released.json",
              "quarantined.json",
              "rejected.json",
              "expired.json",
              "failed.json",
              "reprocessed.json",
              "released-by-operator.json",
              "failed-after-release.json",
              // uploads held out of the client's reach, and incoming swept once the upload URLs
              // expired
              "held-released.json",
              "held-quarantined.json",
              "held-rejected.json",
              "held-expired.json",
              "held-failed.json",
              "held-reprocessed.json",
              "held-released-by-operator.json",
              "held-failed-after-release.json",
              // a clean file is released only when its bytes are of the declared type
              "typed-released.json",
              "typed-quarantined.json",
              "typed-rejected.json",
              "typed-expired.json",
              "typed-failed.json",
              "typed-reprocessed.json",
              "typed-released-by-operator.json",
              "typed-failed-after-release.json",
              "typed-mismatch-rejected.json",
              "typed-mismatch-held.json",
              // the owner's deletion: of an upload awaited, a released file, a scan under way, a
              // closed run
              "deleted-awaiting-upload.json",
              "deleted-released.json",
              "deleted-while-scanning.json",
              "deleted-awaiting-previews.json",
              "deleted-after-close.json",
              // a complete is trusted, and the first look waits for the first pause
              "lean-released.json",
              "lean-quarantined.json",
              "lean-rejected.json",
              "lean-expired.json",
              "lean-failed.json",
              "lean-reprocessed.json",
              "lean-released-by-operator.json",
              "lean-failed-after-release.json",
              "lean-mismatch-rejected.json",
              "lean-mismatch-held.json",
              // light steps as local activities, announcements folded, one marker, delayed start
              "local-released.json",
              "local-quarantined.json",
              "local-rejected.json",
              "local-expired.json",
              "local-failed.json",
              "local-reprocessed.json",
              "local-released-by-operator.json",
              "local-failed-after-release.json",
              "local-mismatch-rejected.json",
              "local-mismatch-held.json",
              "local-deleted-awaiting-upload.json",
              "local-deleted-released.json",
              "local-deleted-while-scanning.json",
              "local-deleted-awaiting-previews.json",
              "local-deleted-after-close.json",
              // local-steps version 2: a wait cut short leaves its timer to fire (the Java test
              // server strands a task that cancels a timer fired meanwhile)
              "fired-released.json",
              "fired-quarantined.json",
              "fired-rejected.json",
              "fired-expired.json",
              "fired-failed.json",
              "fired-reprocessed.json",
              "fired-released-by-operator.json",
              "fired-failed-after-release.json",
              "fired-mismatch-rejected.json",
              "fired-mismatch-held.json",
              "fired-deleted-awaiting-upload.json",
              "fired-deleted-released.json",
              "fired-deleted-while-scanning.json",
              "fired-deleted-awaiting-previews.json",
              "fired-deleted-after-close.json",
              "fired-large-released.json",
              // version 3: a deletion's sweep at the sweep wait's instant shares its timer
              "sweep-released.json",
              "sweep-quarantined.json",
              "sweep-rejected.json",
              "sweep-expired.json",
              "sweep-failed.json",
              "sweep-reprocessed.json",
              "sweep-released-by-operator.json",
              "sweep-failed-after-release.json",
              "sweep-mismatch-rejected.json",
              "sweep-mismatch-held.json",
              "sweep-deleted-awaiting-upload.json",
              "sweep-deleted-released.json",
              "sweep-deleted-while-scanning.json",
              "sweep-deleted-awaiting-previews.json",
              "sweep-deleted-after-close.json",
              "sweep-large-released.json");
      return found;
    }
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoryReplaysOnTheCurrentCode(Path history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        Files.readString(history), AttachmentWorkflowImpl.class);
  }
}
