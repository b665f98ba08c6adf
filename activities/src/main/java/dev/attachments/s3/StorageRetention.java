package dev.attachments.s3;

import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.retention.RetentionActivities;
import dev.attachments.retention.RetentionPage;
import dev.attachments.workflow.AttachmentStatus;
import dev.attachments.workflow.TaskQueues;
import io.temporal.activity.Activity;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The retention workflow's activities: quarantined files deleted at the end of their retention (the
 * attachment DELETED, audited, in that order, so that a crash between the two deletes the file
 * again rather than leave it), and what the incoming bucket holds past the upload window.
 */
@ActivityImpl(taskQueues = TaskQueues.MAIN_PLACEHOLDER)
public class StorageRetention implements RetentionActivities {
  private static final Logger LOG = LoggerFactory.getLogger(StorageRetention.class);

  /** Who the audit names for a deletion at the end of the retention. */
  public static final String ACTOR = "retention";

  private final S3Client s3;
  private final Buckets buckets;
  private final Attachments attachments;
  private final OperatorActions actions;
  private final Duration quarantineFor;

  public StorageRetention(
      S3Client s3,
      Buckets buckets,
      Attachments attachments,
      OperatorActions actions,
      Duration quarantineFor) {
    this.s3 = s3;
    this.buckets = buckets;
    this.attachments = attachments;
    this.actions = actions;
    this.quarantineFor = quarantineFor;
  }

  @Override
  public RetentionPage purgeQuarantined(Instant before, String after, int limit) {
    List<Attachment> page =
        attachments.quarantinedBefore(before, after == null ? null : UUID.fromString(after), limit);
    int deleted = 0;
    for (Attachment attachment : page) {
      heartbeat(attachment.id().toString());
      // the row first, on the condition that it is still QUARANTINED: an operator's release that
      // came first wins, and one that comes after finds it DELETED (409) rather than its file gone
      if (actions
          .deleteQuarantined(
              attachment.id(),
              ACTOR,
              "deleted after " + quarantineFor.toDays() + " days in quarantine")
          .isEmpty()) {
        continue;
      }
      try {
        s3.deleteObject(b -> b.bucket(buckets.quarantine()).key(attachment.objectKey()));
      } catch (RuntimeException e) {
        // the row says DELETED and is not listed again: say which object is left, for an operator
        LOG.error(
            "attachment {} is DELETED but its quarantined object {} could not be deleted; delete it"
                + " by hand",
            attachment.id(),
            attachment.objectKey(),
            e);
        continue;
      }
      deleted++;
      LOG.info(
          "attachment {} ({}) was quarantined since {}: its file is deleted",
          attachment.id(),
          attachment.owner(),
          attachment.updatedAt());
    }
    return new RetentionPage(
        deleted, 0, page.size() < limit ? null : page.get(page.size() - 1).id().toString());
  }

  @Override
  public RetentionPage sweepIncoming(Instant before, String after, int limit) {
    ListObjectsV2Response listing =
        s3.listObjectsV2(b -> b.bucket(buckets.incoming()).maxKeys(limit).continuationToken(after));
    int deleted = 0;
    int kept = 0;
    for (S3Object object : listing.contents()) {
      heartbeat(object.key());
      if (!object.lastModified().isBefore(before)) {
        continue;
      }
      if (neededByAnAttachment(object.key())) {
        kept++;
        continue;
      }
      s3.deleteObject(b -> b.bucket(buckets.incoming()).key(object.key()));
      deleted++;
      LOG.info("incoming {} was left since {}: deleted", object.key(), object.lastModified());
    }
    return new RetentionPage(
        deleted, kept, listing.isTruncated() ? listing.nextContinuationToken() : null);
  }

  @Override
  public RetentionPage abortStaleUploads(Instant before, String after, int limit) {
    String[] marker = after == null ? new String[2] : after.split("\n", 2);
    ListMultipartUploadsResponse listing =
        s3.listMultipartUploads(
            b ->
                b.bucket(buckets.incoming())
                    .maxUploads(limit)
                    .keyMarker(marker[0])
                    .uploadIdMarker(marker.length > 1 ? marker[1] : null));
    int aborted = 0;
    for (MultipartUpload upload : listing.uploads()) {
      heartbeat(upload.key());
      if (upload.initiated().isBefore(before) && !neededByAnAttachment(upload.key())) {
        s3.abortMultipartUpload(
            b -> b.bucket(buckets.incoming()).key(upload.key()).uploadId(upload.uploadId()));
        aborted++;
        LOG.info(
            "multipart upload of {} was open since {}: aborted", upload.key(), upload.initiated());
      }
    }
    return new RetentionPage(
        aborted,
        0,
        Boolean.TRUE.equals(listing.isTruncated())
            ? listing.nextKeyMarker() + "\n" + listing.nextUploadIdMarker()
            : null);
  }

  /**
   * An object whose attachment still waits or is processed stays, however old: a scan that waits
   * for clamd reads it; so does a FAILED one's, which an operator may reprocess (for a run that
   * gave up before the file was held it is the only copy). Keys that are no attachment's stay too:
   * this sweep deletes only what it knows.
   */
  private boolean neededByAnAttachment(String key) {
    int slash = key.lastIndexOf('/');
    UUID id;
    try {
      id = UUID.fromString(key.substring(slash + 1));
    } catch (IllegalArgumentException notOurs) {
      return true;
    }
    Optional<Attachment> attachment = attachments.findAny(id);
    return attachment.isPresent()
        && (!attachment.get().status().isFinal()
            || attachment.get().status() == AttachmentStatus.FAILED);
  }

  private static void heartbeat(String progress) {
    Activity.getExecutionContext().heartbeat(progress);
  }
}
