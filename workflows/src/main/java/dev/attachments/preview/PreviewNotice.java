package dev.attachments.preview;

/**
 * Word from the preview service that previews it makes asynchronously (large videos) are done or
 * failed.
 *
 * @param reason what failed, or null when they are ready
 */
public record PreviewNotice(boolean ready, String reason) {}
