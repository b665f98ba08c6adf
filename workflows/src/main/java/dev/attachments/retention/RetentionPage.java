package dev.attachments.retention;

/**
 * What one page of a sweep did.
 *
 * @param deleted files (or multipart uploads) deleted
 * @param kept files looked at and left, because an unfinished attachment still needs them
 * @param next where the next page starts, or null when this part of the sweep is done
 */
public record RetentionPage(int deleted, int kept, String next) {}
