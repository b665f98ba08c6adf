package dev.attachments.upload;

/**
 * The upload, copied out of the client's reach into the quarantine bucket: from here on every step works on
 * these bytes, whatever the client does with its URLs.
 *
 * @param etag the held object's ETag, which the scan reads and the release copies with If-Match
 * @param released the bytes have already moved on to the released bucket (a reprocess after the release copy)
 */
public record HeldUpload(long size, String etag, boolean released) {}
