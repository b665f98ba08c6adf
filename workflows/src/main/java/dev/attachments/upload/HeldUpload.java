package dev.attachments.upload;

/**
 * The upload, copied out of the client's reach into the quarantine bucket: from here on every step
 * works on these bytes, whatever the client does with its URLs.
 *
 * @param etag the held object's ETag, which the scan reads and the release copies with If-Match
 * @param released the bytes have already moved on to the released bucket (a reprocess after the
 *     release copy)
 * @param copied this hold copied the bytes from incoming just now: on a reprocess they are bytes a
 *     client PUT since, which no verdict is about, even one naming the same ETag (single-PUT ETags
 *     are MD5s, and two files with one MD5 are cheap to make). False in histories from before it
 *     existed.
 */
public record HeldUpload(long size, String etag, boolean released, boolean copied) {}
