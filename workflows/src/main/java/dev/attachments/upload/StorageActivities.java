package dev.attachments.upload;

import io.temporal.activity.ActivityInterface;

/** The object store: the incoming, released and quarantine buckets, one object key in all three. */
@ActivityInterface
public interface StorageActivities {
  /** Failure type when the object is not where the client was told to put it. */
  String UPLOAD_MISSING = "UploadMissing";

  /** Failure type when the object's size is not what the client declared. */
  String SIZE_MISMATCH = "SizeMismatch";

  /**
   * Failure type when the upload carries what the client may set but nobody asked for
   * (Content-Encoding, Content-Disposition, Cache-Control, Content-Language, Expires, user
   * metadata, another Content-Type), which would otherwise ride along to the download.
   */
  String UNEXPECTED_HEADERS = "UnexpectedHeaders";

  /** Whether the object has arrived in the incoming bucket. */
  boolean isUploaded(String objectKey);

  /**
   * Checks the uploaded object against what was declared; fails non-retryably when it does not
   * match.
   */
  StoredObject verify(String objectKey, long declaredSize);

  /**
   * Checks the upload against what was declared (size, type, no other headers), then copies exactly
   * that object ({@code CopySourceIfMatch} its ETag) into the quarantine bucket with nothing but
   * its content type, and deletes it from incoming: nothing the client sends afterwards reaches the
   * scan or the release. When it is held already (a retry, a reprocess), answers what is held.
   */
  HeldUpload hold(String objectKey, long declaredSize, String declaredContentType);

  /** Moves the held object, if it is still the one with this ETag, to the released bucket. */
  void releaseHeld(String objectKey, String etag);

  /** Deletes the held object (a rejected upload). */
  void discardHeld(String objectKey);

  /**
   * Moves the object from incoming to the released bucket (workflows started before uploads were
   * held).
   */
  void release(String objectKey);

  /**
   * Moves the object from incoming to the quarantine bucket, which only the worker and operators
   * read (workflows started before uploads were held).
   */
  void quarantine(String objectKey);

  /**
   * Moves a quarantined object to the released bucket, when an operator judged its verdict a false
   * positive.
   */
  void releaseFromQuarantine(String objectKey);

  /**
   * Deletes whatever is left of the upload in the incoming bucket; nothing there is ever served.
   */
  void discardUpload(String objectKey);

  /**
   * Deletes the attachment's bytes from every bucket and aborts its multipart uploads still open in
   * incoming: what remains of an attachment its owner deleted. Idempotent.
   */
  void deleteEverywhere(String objectKey);
}
