package dev.attachments.workflow;

import dev.attachments.scan.ScanResult;
import dev.attachments.scan.UnscannablePolicy;
import java.time.Instant;

/**
 * What the API knows when it starts an attachment's workflow.
 *
 * @param declaredSha256 lower-case hex digest the client declared, or null
 * @param objectKey key of the object in every bucket: {@code <owner>/<attachmentId>}
 * @param uploadExpiresAt when the presigned upload stops working; no upload by then means EXPIRED
 * @param unscannablePolicy null (in workflows started before it existed) means HOLD
 * @param resumeScan when an operator reprocesses a FAILED attachment that was already scanned: that verdict,
 *     so the scan is not repeated; null to scan
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
    ScanResult resumeScan) {

  /** The same attachment, resumed after the scan it already had. */
  public AttachmentRequest resumedAfter(ScanResult scan) {
    return new AttachmentRequest(
        attachmentId, owner, filename, contentType, size, declaredSha256, objectKey, uploadExpiresAt, queues,
        unscannablePolicy, scan);
  }

  public static String workflowId(String attachmentId) {
    return "attachment-" + attachmentId;
  }

  public static String objectKey(String owner, String attachmentId) {
    return owner + "/" + attachmentId;
  }
}
