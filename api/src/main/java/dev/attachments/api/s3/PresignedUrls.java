package dev.attachments.api.s3;

import dev.attachments.api.ApiSettings;
import dev.attachments.storage.S3Objects;
import jakarta.inject.Singleton;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedUploadPartRequest;

/**
 * Presigned S3 URLs: the bytes go between the client and S3, never through us. The PUT signs
 * Content-Type, Content-Length, {@code If-None-Match: *} and (when declared) the SHA-256 checksum,
 * so S3 itself refuses any other file and any second PUT over the first. Upload URLs live minutes
 * ({@code uploadUrlTtl}), never past the upload window.
 */
@Singleton
public class PresignedUrls {
  /** SigV4 presigned URLs live at most seven days. */
  static final Duration LONGEST = Duration.ofDays(7);

  private final S3Presigner presigner;
  private final ApiSettings.Buckets buckets;
  private final ApiSettings.Uploads uploads;
  private final ApiSettings.Downloads downloads;

  public PresignedUrls(
      S3Presigner presigner,
      ApiSettings.Buckets buckets,
      ApiSettings.Uploads uploads,
      ApiSettings.Downloads downloads) {
    this.presigner = presigner;
    this.buckets = buckets;
    this.uploads = uploads;
    this.downloads = downloads;
  }

  /**
   * @param sha256Hex the declared digest, or null
   */
  public Presigned upload(
      String objectKey, String contentType, long size, String sha256Hex, Instant expiresAt) {
    PresignedPutObjectRequest presigned =
        presigner.presignPutObject(
            p ->
                p.signatureDuration(window(expiresAt))
                    .putObjectRequest(
                        put -> {
                          put.bucket(buckets.incoming())
                              .key(objectKey)
                              .contentType(contentType)
                              .contentLength(size)
                              // where S3 honours it, the first upload cannot be overwritten
                              .ifNoneMatch("*");
                          if (sha256Hex != null) {
                            put.checksumSHA256(
                                Base64.getEncoder()
                                    .encodeToString(HexFormat.of().parseHex(sha256Hex)));
                          }
                        }));
    return new Presigned(
        presigned.url().toString(),
        clientHeaders(presigned.signedHeaders()),
        presigned.expiration());
  }

  /** One part of a multipart upload, its length signed like a single PUT's. */
  public Presigned part(
      String objectKey, String uploadId, int partNumber, long length, Instant expiresAt) {
    PresignedUploadPartRequest presigned =
        presigner.presignUploadPart(
            p ->
                p.signatureDuration(window(expiresAt))
                    .uploadPartRequest(
                        part ->
                            part.bucket(buckets.incoming())
                                .key(objectKey)
                                .uploadId(uploadId)
                                .partNumber(partNumber)
                                .contentLength(length)));
    return new Presigned(
        presigned.url().toString(),
        clientHeaders(presigned.signedHeaders()),
        presigned.expiration());
  }

  private Duration window(Instant uploadExpiresAt) {
    return Duration.between(Instant.now(), urlsExpireAt(uploadExpiresAt));
  }

  /**
   * When an upload URL presigned now expires: after {@code uploadUrlTtl}, or when the upload window
   * closes.
   */
  public Instant urlsExpireAt(Instant uploadExpiresAt) {
    Instant full = Instant.now().plus(clamp(uploads.urlTtl()));
    return full.isBefore(uploadExpiresAt) ? full : uploadExpiresAt;
  }

  /** At most the seven days a SigV4 presigned URL can live: how long an upload stays open. */
  public static Duration clamp(Duration ttl) {
    return ttl.compareTo(LONGEST) > 0 ? LONGEST : ttl;
  }

  /**
   * A short-lived GET of a released object that downloads under its original file name, with the
   * type we hold it for and no content encoding, whatever headers the object carries.
   */
  public Presigned download(String objectKey, String filename, String contentType) {
    PresignedGetObjectRequest presigned =
        presigner.presignGetObject(
            p ->
                p.signatureDuration(downloads.urlTtl())
                    .getObjectRequest(
                        get ->
                            get.bucket(buckets.released())
                                .key(objectKey)
                                .responseContentDisposition(contentDisposition(filename))
                                .responseContentType(contentType)
                                .responseContentEncoding("identity")));
    return new Presigned(presigned.url().toString(), Map.of(), presigned.expiration());
  }

  /**
   * A preview as the client fetches it: previews made by the worker are objects in the released
   * bucket ({@code s3://bucket/key}) handed out as short presigned GETs; Cloudinary's are public
   * URLs already.
   */
  public String preview(String stored) {
    return S3Objects.fetchable(stored, buckets.released(), presigner, downloads.urlTtl());
  }

  /** RFC 6266: an ASCII fallback name and the exact UTF-8 one. */
  static String contentDisposition(String filename) {
    String fallback =
        filename.replaceAll("[^\\x20-\\x7e]", "_").replace("\\", "_").replace("\"", "_");
    String exact = URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + exact;
  }

  /** The headers the client must send as they were signed; its HTTP library sets Host itself. */
  private static Map<String, String> clientHeaders(Map<String, List<String>> signed) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    signed.forEach(
        (name, values) -> {
          if (!name.equalsIgnoreCase("host")) {
            headers.put(name, String.join(",", values));
          }
        });
    return headers;
  }
}
