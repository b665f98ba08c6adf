package dev.attachments.scan;

import java.time.Instant;

/**
 * The outcome of one scan of the whole object.
 *
 * @param signature what clamd found (INFECTED) or why it could not scan (UNSCANNABLE); null when
 *     CLEAN
 * @param engine the scanner and its database version, e.g. {@code ClamAV 1.4.6/27000}
 * @param sha256 lower-case hex digest of the bytes that were scanned, computed on the same pass
 * @param detectedContentType the media type the bytes themselves say they are
 * @param etag the held object's ETag: the verdict is about that object and no other (null for scans
 *     made before uploads were held, which a reprocess therefore repeats)
 */
public record ScanResult(
    ScanVerdict verdict,
    String signature,
    String engine,
    String sha256,
    String detectedContentType,
    long scannedBytes,
    Instant scannedAt,
    String etag) {}
