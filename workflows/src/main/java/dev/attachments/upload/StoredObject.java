package dev.attachments.upload;

/** What S3 holds for an uploaded attachment. */
public record StoredObject(long size, String etag) {}
