package dev.attachments.preview;

/** A released attachment to make previews for. */
public record PreviewRequest(
    String attachmentId, String objectKey, String contentType, String filename) {}
