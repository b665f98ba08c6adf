package dev.attachments.api.ops;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.temporal.AttachmentWorkflows;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.storage.S3Objects;
import dev.attachments.workflow.AttachmentStatus;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Use case: an operator processes FAILED attachments again, from the step that failed (a verdict
 * already had is kept, so the scan is not repeated) or, asked to, from a fresh scan. Audited.
 */
@Singleton
public class Reprocess {
  static final int MOST_A_CALL = 1000;

  private final Attachments attachments;
  private final OperatorActions actions;
  private final AttachmentWorkflows workflows;
  private final S3Client s3;
  private final ApiSettings.Buckets buckets;

  public Reprocess(
      Attachments attachments,
      OperatorActions actions,
      AttachmentWorkflows workflows,
      S3Client s3,
      ApiSettings.Buckets buckets) {
    this.attachments = attachments;
    this.actions = actions;
    this.workflows = workflows;
    this.s3 = s3;
    this.buckets = buckets;
  }

  /**
   * @param from null, or {@code scan} for a fresh scan
   */
  public List<String> one(String operator, String id, String from) {
    Attachment attachment = findAny(attachments, id);
    if (from != null && !from.equals("scan")) {
      throw Refusal.invalid("from may only be 'scan'");
    }
    if (!reprocess(operator, attachment, "scan".equals(from))) {
      throw Refusal.conflict(
          "not-failed",
          "the attachment is " + attachment.status() + "; only FAILED ones are reprocessed");
    }
    return List.of(id);
  }

  /** Every attachment in a status (FAILED), up to 1,000 a call. */
  public List<String> all(String operator, String status) {
    if (!"FAILED".equalsIgnoreCase(status)) {
      throw Refusal.invalid("bulk reprocessing takes status=FAILED");
    }
    List<String> ids = new ArrayList<>();
    for (Attachment attachment :
        attachments.listAll(AttachmentStatus.FAILED, MOST_A_CALL, null).items()) {
      if (reprocess(operator, attachment, false)) {
        ids.add(attachment.id().toString());
      }
    }
    return ids;
  }

  private boolean reprocess(String operator, Attachment attachment, boolean rescan) {
    if (rescan
        && S3Objects.headOrNull(s3, buckets.incoming(), attachment.objectKey()) == null
        && S3Objects.headOrNull(s3, buckets.quarantine(), attachment.objectKey()) == null) {
      throw Refusal.conflict(
          "not-in-incoming",
          "the file is neither in the incoming bucket nor held for its scan, so it cannot be scanned again;"
              + " reprocess without from=scan");
    }
    return actions
        .reopenFailed(
            attachment.id(),
            operator,
            rescan ? "reprocess from the scan" : "reprocess from the failed step",
            rescan)
        .map(
            audit -> {
              workflows.rerun(attachment, audit);
              return true;
            })
        .orElse(false);
  }

  /** Any owner's attachment. */
  static Attachment findAny(Attachments attachments, String id) {
    return attachments
        .findAny(Params.id(id, "no attachment " + id))
        .orElseThrow(() -> Refusal.notFound("no attachment " + id));
  }
}
