package dev.attachments.upload;

import io.temporal.activity.ActivityInterface;

/** The object store: the incoming, released and quarantine buckets, one object key in all three. */
@ActivityInterface
public interface StorageActivities {
  /** Failure type when the object is not where the client was told to put it. */
  String UPLOAD_MISSING = "UploadMissing";
  /** Failure type when the object's size is not what the client declared. */
  String SIZE_MISMATCH = "SizeMismatch";

  /** Whether the object has arrived in the incoming bucket. */
  boolean isUploaded(String objectKey);

  /** Checks the uploaded object against what was declared; fails non-retryably when it does not match. */
  StoredObject verify(String objectKey, long declaredSize);

  /** Moves the object from incoming to the released bucket, from where it can be downloaded. */
  void release(String objectKey);

  /** Moves the object from incoming to the quarantine bucket, which only the worker and operators read. */
  void quarantine(String objectKey);

  /** Moves a quarantined object to the released bucket, when an operator judged its verdict a false positive. */
  void releaseFromQuarantine(String objectKey);

  /** Deletes whatever is left of the upload in the incoming bucket; nothing there is ever served. */
  void discardUpload(String objectKey);
}
