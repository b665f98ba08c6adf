package dev.attachments.workflow;

import dev.attachments.scan.ScanResult;
import dev.attachments.scan.TypeMismatchPolicy;
import dev.attachments.scan.UnscannablePolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * What the API knows when it starts an attachment's workflow.
 *
 * @param declaredSha256 lower-case hex digest the client declared, or null
 * @param objectKey key of the object in every bucket: {@code <owner>/<attachmentId>}
 * @param uploadExpiresAt when the presigned upload stops working; no upload by then means EXPIRED
 * @param unscannablePolicy null (in workflows started before it existed) means HOLD
 * @param resumeScan when an operator reprocesses a FAILED attachment that was already scanned: that
 *     verdict, so the scan is not repeated; null to scan. An operator's release carries the verdict
 *     it overrules.
 * @param operatorAction null for the run the upload started; else the operator's reprocess or
 *     release
 * @param giveUpAfter how long a storage, metadata or webhook step is retried before the attachment
 *     is FAILED; null (in workflows started before it existed) means {@link #DEFAULT_GIVE_UP_AFTER}
 * @param uploadUrlTtl how long each presigned upload URL the API hands out lives; the workflow
 *     sweeps the incoming bucket once the last one has expired. Null (in workflows started before
 *     it existed) means the URLs lived until {@code uploadExpiresAt}
 * @param typeMismatchPolicy what becomes of a clean file whose bytes are not of the declared type;
 *     null (in workflows started before it existed) means REJECT
 */
public record AttachmentRequest(
    String attachmentId,
    String owner,
    String filename,
    String contentType,
    long size,
    String declaredSha256,
    String objectKey,
    Instant uploadExpiresAt,
    TaskQueues queues,
    UnscannablePolicy unscannablePolicy,
    ScanResult resumeScan,
    OperatorAction operatorAction,
    Duration giveUpAfter,
    Duration uploadUrlTtl,
    TypeMismatchPolicy typeMismatchPolicy) {

  public static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofHours(1);

  /**
   * How long after its creation an upload is first looked for when its client has not called
   * complete: the API delays the first workflow task by this much (a signal starts it at once), as
   * an upload is rarely there the moment it is created.
   */
  public static final Duration FIRST_LOOK = Duration.ofSeconds(2);

  /**
   * The same attachment, run again on an operator's word, after the scan it already had (or none).
   */
  public AttachmentRequest rerun(ScanResult scan, OperatorAction action) {
    return new AttachmentRequest(
        attachmentId,
        owner,
        filename,
        contentType,
        size,
        declaredSha256,
        objectKey,
        uploadExpiresAt,
        queues,
        unscannablePolicy,
        scan,
        action,
        giveUpAfter,
        uploadUrlTtl,
        typeMismatchPolicy);
  }

  /** The retry budget of the light steps, with the default for requests that carry none. */
  public Duration giveUpAfterOrDefault() {
    return giveUpAfter == null ? DEFAULT_GIVE_UP_AFTER : giveUpAfter;
  }

  /**
   * When the last upload URL handed out expires, given when the attachment stopped taking uploads:
   * the API hands out URLs only while it is AWAITING_UPLOAD, and never past {@code
   * uploadExpiresAt}.
   */
  public Instant uploadUrlsExpireBy(Instant uploadsClosedAt) {
    if (uploadUrlTtl == null) {
      return uploadExpiresAt;
    }
    Instant lastUrl = uploadsClosedAt.plus(uploadUrlTtl);
    return lastUrl.isBefore(uploadExpiresAt) ? lastUrl : uploadExpiresAt;
  }

  /** What each attachment's workflow id starts with; its attachment id follows. */
  public static final String WORKFLOW_ID_PREFIX = "attachment-";

  public static String workflowId(String attachmentId) {
    return WORKFLOW_ID_PREFIX + attachmentId;
  }

  public static String objectKey(String owner, String attachmentId) {
    return owner + "/" + attachmentId;
  }
}
