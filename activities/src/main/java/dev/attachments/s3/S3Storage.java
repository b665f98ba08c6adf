package dev.attachments.s3;

import dev.attachments.storage.S3Objects;
import dev.attachments.upload.HeldUpload;
import dev.attachments.upload.StorageActivities;
import dev.attachments.upload.StoredObject;
import dev.attachments.workflow.TaskQueues;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** The object store on S3 (or anything that speaks it), through the AWS SDK v2. */
@ActivityImpl(taskQueues = TaskQueues.MAIN_PLACEHOLDER)
public class S3Storage implements StorageActivities {
  /** Failure type when the held object is not the one that was scanned: it is never released. */
  public static final String HELD_OBJECT_CHANGED = "HeldObjectChanged";

  /** S3's CopyObject takes objects up to 5 GiB; above that the copy goes in parts. */
  public static final long COPY_OBJECT_LIMIT = 5L * 1024 * 1024 * 1024;

  private final S3Client s3;
  private final Buckets buckets;
  private final Copying copying;
  private final ExecutorService copiers;

  /**
   * How server-side copies are made.
   *
   * @param multipartThreshold objects above this are copied with UploadPartCopy, in parallel parts
   * @param partSize bytes a part (at least 5 MiB, and enough that no object needs more than 10,000)
   * @param parallelism parts copied at once
   */
  public record Copying(long multipartThreshold, long partSize, int parallelism) {
    public static Copying defaults() {
      return new Copying(COPY_OBJECT_LIMIT, 512L * 1024 * 1024, 8);
    }
  }

  public S3Storage(S3Client s3, Buckets buckets) {
    this(s3, buckets, Copying.defaults());
  }

  public S3Storage(S3Client s3, Buckets buckets, Copying copying) {
    this.s3 = s3;
    this.buckets = buckets;
    this.copying = copying;
    this.copiers =
        Executors.newFixedThreadPool(
            copying.parallelism(),
            r -> {
              Thread thread = new Thread(r, "s3-part-copy");
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public boolean isUploaded(String objectKey) {
    return head(buckets.incoming(), objectKey) != null;
  }

  @Override
  public StoredObject verify(String objectKey, long declaredSize) {
    HeadObjectResponse head = head(buckets.incoming(), objectKey);
    if (head == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "no object was uploaded to " + objectKey, UPLOAD_MISSING);
    }
    checkSize(head, declaredSize);
    return new StoredObject(head.contentLength(), head.eTag());
  }

  private static void checkSize(HeadObjectResponse upload, long declaredSize) {
    if (upload.contentLength() != declaredSize) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the upload has " + upload.contentLength() + " bytes, not the declared " + declaredSize,
          SIZE_MISMATCH);
    }
  }

  @Override
  public HeldUpload hold(String objectKey, long declaredSize, String declaredContentType) {
    HeadObjectResponse upload = head(buckets.incoming(), objectKey);
    if (upload == null) {
      HeadObjectResponse held = head(buckets.quarantine(), objectKey);
      if (held != null) {
        return new HeldUpload(held.contentLength(), held.eTag(), false, false);
      }
      HeadObjectResponse released = head(buckets.released(), objectKey);
      if (released != null) {
        return new HeldUpload(released.contentLength(), released.eTag(), true, false);
      }
      throw ApplicationFailure.newNonRetryableFailure(
          "no object was uploaded to " + objectKey, UPLOAD_MISSING);
    }
    checkSize(upload, declaredSize);
    String unexpected = UploadHeaders.unexpected(upload, declaredContentType);
    if (unexpected != null) {
      throw ApplicationFailure.newNonRetryableFailure(unexpected, UNEXPECTED_HEADERS);
    }
    // a PUT between the HEAD and the copy makes the copy fail (412) and this step retry on the new
    // object
    copy(objectKey, buckets.incoming(), buckets.quarantine(), upload);
    HeadObjectResponse held = head(buckets.quarantine(), objectKey);
    s3.deleteObject(b -> b.bucket(buckets.incoming()).key(objectKey));
    return new HeldUpload(held.contentLength(), held.eTag(), false, true);
  }

  @Override
  public void releaseHeld(String objectKey, String etag) {
    HeadObjectResponse held = head(buckets.quarantine(), objectKey);
    if (held == null) {
      if (head(buckets.released(), objectKey) != null) {
        return; // a retry after the delete: released already
      }
      throw ApplicationFailure.newNonRetryableFailure(
          objectKey + " is not held for release", UPLOAD_MISSING);
    }
    if (!held.eTag().equals(etag)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the held object "
              + objectKey
              + " is no longer the one scanned (ETag "
              + held.eTag()
              + ", not "
              + etag
              + ")",
          HELD_OBJECT_CHANGED);
    }
    copy(objectKey, buckets.quarantine(), buckets.released(), held);
    s3.deleteObject(b -> b.bucket(buckets.quarantine()).key(objectKey));
  }

  @Override
  public void discardHeld(String objectKey) {
    s3.deleteObject(b -> b.bucket(buckets.quarantine()).key(objectKey));
  }

  @Override
  public void release(String objectKey) {
    move(objectKey, buckets.incoming(), buckets.released());
  }

  @Override
  public void releaseFromQuarantine(String objectKey) {
    move(objectKey, buckets.quarantine(), buckets.released());
  }

  @Override
  public void quarantine(String objectKey) {
    move(objectKey, buckets.incoming(), buckets.quarantine());
  }

  /** Deletes the object and aborts any multipart upload still open for it: nothing stays behind. */
  @Override
  public void discardUpload(String objectKey) {
    for (MultipartUpload open :
        s3.listMultipartUploadsPaginator(b -> b.bucket(buckets.incoming()).prefix(objectKey))
            .uploads()) {
      if (open.key().equals(objectKey)) {
        s3.abortMultipartUpload(
            b -> b.bucket(buckets.incoming()).key(objectKey).uploadId(open.uploadId()));
      }
    }
    s3.deleteObject(b -> b.bucket(buckets.incoming()).key(objectKey));
  }

  @Override
  public void deleteEverywhere(String objectKey) {
    discardUpload(objectKey);
    s3.deleteObject(b -> b.bucket(buckets.quarantine()).key(objectKey));
    s3.deleteObject(b -> b.bucket(buckets.released()).key(objectKey));
  }

  /**
   * Server-side copy, then delete from the source bucket. A retry after the copy but before the
   * delete finds the object in both places and simply copies again; a retry after the delete finds
   * it only at its destination.
   */
  private void move(String objectKey, String from, String destination) {
    HeadObjectResponse source = head(from, objectKey);
    if (source == null) {
      if (head(destination, objectKey) != null) {
        return;
      }
      throw ApplicationFailure.newNonRetryableFailure(
          objectKey + " is neither in " + from + " nor in " + destination, UPLOAD_MISSING);
    }
    copy(objectKey, from, destination, source);
    s3.deleteObject(b -> b.bucket(from).key(objectKey));
  }

  /**
   * Copies exactly the version {@code source} describes (CopySourceIfMatch its ETag, on every part
   * too), with its content type and nothing else the uploader may have set: no encoding,
   * disposition, caching or user metadata.
   */
  private void copy(String objectKey, String from, String destination, HeadObjectResponse source) {
    if (source.contentLength() > copying.multipartThreshold()) {
      copyInParts(objectKey, from, destination, source);
    } else {
      s3.copyObject(
          b ->
              b.sourceBucket(from)
                  .sourceKey(objectKey)
                  .destinationBucket(destination)
                  .destinationKey(objectKey)
                  .copySourceIfMatch(source.eTag())
                  .metadataDirective(MetadataDirective.REPLACE)
                  .contentType(source.contentType()));
    }
  }

  /** UploadPartCopy in parallel parts, heartbeating the bytes copied; aborted on any failure. */
  private void copyInParts(
      String objectKey, String from, String destination, HeadObjectResponse source) {
    long size = source.contentLength();
    long partSize = Math.max(copying.partSize(), (size + 9_999) / 10_000);
    String uploadId =
        s3.createMultipartUpload(
                b -> b.bucket(destination).key(objectKey).contentType(source.contentType()))
            .uploadId();
    AtomicLong copied = new AtomicLong();
    try {
      List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
      for (int number = 1; (number - 1L) * partSize < size; number++) {
        int partNumber = number;
        long first = (number - 1L) * partSize;
        long last = Math.min(size, first + partSize) - 1;
        parts.add(
            CompletableFuture.supplyAsync(
                () -> {
                  String etag =
                      s3.uploadPartCopy(
                              b ->
                                  b.sourceBucket(from)
                                      .sourceKey(objectKey)
                                      .destinationBucket(destination)
                                      .destinationKey(objectKey)
                                      .uploadId(uploadId)
                                      .partNumber(partNumber)
                                      .copySourceIfMatch(source.eTag())
                                      .copySourceRange("bytes=" + first + "-" + last))
                          .copyPartResult()
                          .eTag();
                  copied.addAndGet(last - first + 1);
                  return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
                },
                copiers));
      }
      List<CompletedPart> completed = new ArrayList<>();
      for (CompletableFuture<CompletedPart> part : parts) {
        completed.add(part.join());
        heartbeat(copied.get());
      }
      s3.completeMultipartUpload(
          b ->
              b.bucket(destination)
                  .key(objectKey)
                  .uploadId(uploadId)
                  .multipartUpload(m -> m.parts(completed)));
    } catch (RuntimeException e) {
      s3.abortMultipartUpload(b -> b.bucket(destination).key(objectKey).uploadId(uploadId));
      throw e;
    }
  }

  private static void heartbeat(long copied) {
    try {
      Activity.getExecutionContext().heartbeat(copied);
    } catch (IllegalStateException notInAnActivity) {
      // called outside an activity (tests of this class alone): nobody to tell
    }
  }

  /** The object's metadata, or null when there is no such object. */
  private HeadObjectResponse head(String bucket, String objectKey) {
    return S3Objects.headOrNull(s3, bucket, objectKey);
  }
}
