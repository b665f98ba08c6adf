package dev.attachments.upload;

import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The object store on S3 (or anything that speaks it), through the AWS SDK v2. */
@ActivityImpl(taskQueues = "${attachments.task-queues.main:attachments}")
public class S3Storage implements StorageActivities {
  private final S3Client s3;
  private final Buckets buckets;

  public S3Storage(S3Client s3, Buckets buckets) {
    this.s3 = s3;
    this.buckets = buckets;
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
    move(objectKey, buckets.released());
  }

  @Override
  public void quarantine(String objectKey) {
    move(objectKey, buckets.quarantine());
  }

  @Override
  public void discardUpload(String objectKey) {
    s3.deleteObject(b -> b.bucket(buckets.incoming()).key(objectKey));
  }

  /**
   * Server-side copy, then delete from incoming. A retry after the copy but before the delete finds the object
   * in both places and simply copies again; a retry after the delete finds it only at its destination.
   */
  private void move(String objectKey, String destination) {
    if (head(buckets.incoming(), objectKey) == null) {
      if (head(destination, objectKey) != null) {
        return;
      }
      throw ApplicationFailure.newNonRetryableFailure(
          objectKey + " is neither in " + buckets.incoming() + " nor in " + destination, UPLOAD_MISSING);
    }
    s3.copyObject(
        b ->
            b.sourceBucket(buckets.incoming())
                .sourceKey(objectKey)
                .destinationBucket(destination)
                .destinationKey(objectKey));
    s3.deleteObject(b -> b.bucket(buckets.incoming()).key(objectKey));
  }

  /** The object's metadata, or null when there is no such object. */
  private HeadObjectResponse head(String bucket, String objectKey) {
    try {
      return s3.headObject(b -> b.bucket(bucket).key(objectKey));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
      }
      throw e;
    }
  }
}
