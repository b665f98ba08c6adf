package dev.attachments.workflow;

import dev.attachments.preview.Preview;
import dev.attachments.scan.ScanResult;

/**
 * The attachment as its workflow sees it: answered by the {@code state} query and published to the
 * metadata store at every step.
 *
 * @param reason why the attachment is REJECTED, FAILED or EXPIRED, in words a client can act on
 * @param scan null until scanned
 * @param preview null until the optimize step ran
 */
public record AttachmentState(
    String attachmentId, AttachmentStatus status, String reason, ScanResult scan, Preview preview) {

  public static AttachmentState awaitingUpload(String attachmentId) {
    return new AttachmentState(attachmentId, AttachmentStatus.AWAITING_UPLOAD, null, null, null);
  }

  public AttachmentState with(AttachmentStatus newStatus, String newReason) {
    return new AttachmentState(attachmentId, newStatus, newReason, scan, preview);
  }

  public AttachmentState with(ScanResult newScan) {
    return new AttachmentState(attachmentId, status, reason, newScan, preview);
  }

  public AttachmentState with(Preview newPreview) {
    return new AttachmentState(attachmentId, status, reason, scan, newPreview);
  }
}
