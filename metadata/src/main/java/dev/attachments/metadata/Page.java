package dev.attachments.metadata;

import java.util.List;

/**
 * One page of an owner's attachments, newest first; {@code nextCursor} is null on the last page.
 */
public record Page(List<Attachment> items, String nextCursor) {}
