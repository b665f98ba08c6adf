package dev.attachments.api.s3;

import java.time.Instant;
import java.util.Map;

/**
 * A presigned S3 request: its URL, the headers the client must send exactly as signed, and when it
 * stops working.
 */
public record Presigned(String url, Map<String, String> headers, Instant expiresAt) {}
