package dev.attachments.upload;

import dev.attachments.storage.S3Objects;
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
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** The object store on S3 (or anything that speaks it), through the AWS SDK v2. */
@ActivityImpl(taskQueues = "${attachments.task-queues.main:attachments}")
public class S3Storage implements StorageActivities {
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
    this.copiers = Executors.newFixedThreadPool(copying.parallelism(), r -> {
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
    if (head.contentLength() != declaredSize) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the upload has " + head.contentLength() + " bytes, not the declared " + declaredSize, SIZE_MISMATCH);
    }
    return new StoredObject(head.contentLength(), head.eTag());
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
        s3.listMultipartUploadsPaginator(b -> b.bucket(buckets.incoming()).prefix(objectKey)).uploads()) {
      if (open.key().equals(objectKey)) {
        s3.abortMultipartUpload(b -> b.bucket(buckets.incoming()).key(objectKey).uploadId(open.uploadId()));
      }
    }
    s3.deleteObject(b -> b.bucket(buckets.incoming()).key(objectKey));
  }

  /**
   * Server-side copy, then delete from the source bucket. A retry after the copy but before the delete finds the
   * object in both places and simply copies again; a retry after the delete finds it only at its destination.
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
    if (source.contentLength() > copying.multipartThreshold()) {
      copyInParts(objectKey, from, destination, source);
    } else {
      s3.copyObject(
          b -> b.sourceBucket(from).sourceKey(objectKey).destinationBucket(destination).destinationKey(objectKey));
    }
    s3.deleteObject(b -> b.bucket(from).key(objectKey));
  }

  /** UploadPartCopy in parallel parts, heartbeating the bytes copied; aborted on any failure. */
  private void copyInParts(String objectKey, String from, String destination, HeadObjectResponse source) {
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
          b -> b.bucket(destination).key(objectKey).uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
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
