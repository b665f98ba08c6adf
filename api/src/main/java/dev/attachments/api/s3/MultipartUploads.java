package dev.attachments.api.s3;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.metadata.Attachment;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 multipart uploads of large files: the client PUTs parts straight to S3 through presigned URLs;
 * we only open, list and complete the upload.
 */
@Singleton
public class MultipartUploads {
  /** S3 takes at most 10,000 parts; each but the last at least 5 MiB. We never go below 8 MiB. */
  static final int MAX_PARTS = 10_000;

  static final long MIN_PART = 8L * 1024 * 1024;
  private static final long MIB = 1024 * 1024;

  /** How long completing a multipart upload may take, as long as S3 keeps sending. */
  static final java.time.Duration COMPLETE_DEADLINE = java.time.Duration.ofMinutes(10);

  private final S3Client s3;
  private final String bucket;

  public MultipartUploads(S3Client s3, ApiSettings.Buckets buckets) {
    this.s3 = s3;
    this.bucket = buckets.incoming();
  }

  /** At least 8 MiB, whole MiB, and large enough that the file needs no more than 10,000 parts. */
  public static long partSize(long size) {
    long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
    long wholeMib = (needed + MIB - 1) / MIB * MIB;
    return Math.max(MIN_PART, wholeMib);
  }

  /** Opens the multipart upload; answers its id. */
  public String open(String objectKey, String contentType) {
    return s3.createMultipartUpload(b -> b.bucket(bucket).key(objectKey).contentType(contentType))
        .uploadId();
  }

  public void abort(String objectKey, String uploadId) {
    s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
  }

  /** The parts S3 holds now, so that a client that crashed resumes instead of starting again. */
  /** A part S3 holds. */
  public record StoredPart(int partNumber, long size, String etag) {}

  /** A part as the client lists it to complete the upload: the ETag S3 gave it. */
  public record Part(Integer partNumber, String etag) {}

  public List<StoredPart> stored(Attachment attachment) {
    List<StoredPart> parts = new ArrayList<>();
    try {
      s3.listPartsPaginator(
              b ->
                  b.bucket(bucket)
                      .key(attachment.objectKey())
                      .uploadId(attachment.multipart().uploadId()))
          .parts()
          .forEach(p -> parts.add(new StoredPart(p.partNumber(), p.size(), p.eTag())));
    } catch (NoSuchUploadException e) {
      throw Refusal.conflict(
          "upload-closed", "the multipart upload is no longer open: it was completed or expired");
    }
    return parts;
  }

  /**
   * Completes the upload from the client's part list. Refused parts (wrong ETag, missing, too
   * small) answer 422 and leave the upload open, so the client can upload them again and retry.
   */
  public void complete(Attachment attachment, List<Part> parts) {
    Attachment.Multipart multipart = attachment.multipart();
    int expected = multipart.partCount(attachment.size());
    if (parts == null || parts.isEmpty()) {
      throw Refusal.of(
          Refusal.Kind.UNPROCESSABLE,
          "parts-missing",
          "send {\"parts\":[{\"partNumber\":1,\"etag\":\"...\"},...]} with all "
              + expected
              + " parts");
    }
    List<CompletedPart> completed = new ArrayList<>();
    boolean[] seen = new boolean[expected + 1];
    for (Part part : parts) {
      if (part == null
          || part.partNumber() == null
          || part.etag() == null
          || part.etag().isBlank()) {
        throw Refusal.invalid("every part needs a partNumber and the etag S3 answered for it");
      }
      int number = part.partNumber();
      if (number < 1 || number > expected) {
        throw Refusal.invalid("partNumber " + number + " is outside 1.." + expected);
      }
      if (seen[number]) {
        throw Refusal.invalid("partNumber " + number + " is listed twice");
      }
      seen[number] = true;
      completed.add(CompletedPart.builder().partNumber(number).eTag(part.etag()).build());
    }
    if (completed.size() != expected) {
      List<Integer> missing = new ArrayList<>();
      for (int n = 1; n <= expected && missing.size() < 20; n++) {
        if (!seen[n]) {
          missing.add(n);
        }
      }
      throw Refusal.of(
          Refusal.Kind.UNPROCESSABLE,
          "parts-missing",
          "the file has "
              + expected
              + " parts but "
              + completed.size()
              + " were listed; missing: "
              + missing);
    }
    completed.sort((a, b) -> Integer.compare(a.partNumber(), b.partNumber()));
    try {
      s3.completeMultipartUpload(
          b ->
              b.bucket(bucket)
                  .key(attachment.objectKey())
                  .uploadId(multipart.uploadId())
                  .multipartUpload(m -> m.parts(completed))
                  // S3 may take minutes to assemble many parts, sending blanks meanwhile: the call
                  // may last, and a server that sends nothing still fails it within seconds
                  .overrideConfiguration(
                      o ->
                          o.apiCallTimeout(COMPLETE_DEADLINE)
                              .apiCallAttemptTimeout(COMPLETE_DEADLINE)));
    } catch (NoSuchUploadException e) {
      throw Refusal.conflict(
          "upload-closed", "the multipart upload is no longer open: it was completed or expired");
    } catch (S3Exception e) {
      if (e.statusCode() == 400) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        throw Refusal.of(
            Refusal.Kind.UNPROCESSABLE,
            "parts-refused",
            "S3 refused the part list ("
                + code
                + "): "
                + e.awsErrorDetails().errorMessage()
                + "; GET /v1/attachments/"
                + attachment.id()
                + "/parts shows what S3 holds");
      }
      throw e;
    }
  }
}
