package dev.attachments.api.attachments;

import dev.attachments.api.Refusal;
import dev.attachments.api.limits.RequestRates;
import dev.attachments.api.s3.MultipartUploads;
import dev.attachments.api.s3.Presigned;
import dev.attachments.api.s3.PresignedUrls;
import dev.attachments.metadata.Attachment;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Use case: the URLs a client uploads with while the upload is open (the single PUT's, the parts'),
 * and the parts S3 already holds, to resume.
 */
@Singleton
public class UploadUrls {
  static final int MAX_PARTS_PER_CALL = 1000;

  private final OwnedAttachments attachments;
  private final PresignedUrls urls;
  private final MultipartUploads multipart;
  private final RequestRates rates;

  public UploadUrls(
      OwnedAttachments attachments,
      PresignedUrls urls,
      MultipartUploads multipart,
      RequestRates rates) {
    this.rates = rates;
    this.attachments = attachments;
    this.urls = urls;
    this.multipart = multipart;
  }

  /**
   * How to upload: the single PUT with a fresh URL, or the multipart upload's description (whose
   * part URLs come from {@link #parts}).
   */
  Views.Upload upload(Attachment attachment) {
    if (attachment.multipart() != null) {
      return Views.Upload.multipart(
          attachment.multipart().partSize(),
          attachment.multipart().partCount(attachment.size()),
          attachment.uploadExpiresAt());
    }
    Presigned put =
        urls.upload(
            attachment.objectKey(),
            attachment.contentType(),
            attachment.size(),
            attachment.declaredSha256(),
            attachment.uploadExpiresAt());
    return Views.Upload.single(put.url(), put.headers(), put.expiresAt());
  }

  /** Fresh upload URLs (they live minutes), as long as the upload is open. */
  public Views.Upload fresh(String owner, String id) {
    rates.charge(owner, RequestRates.Kind.UPLOAD_URLS);
    Views.Upload upload = upload(attachments.find(owner, id));
    attachments.open(owner, id);
    return upload;
  }

  /** Presigned PUTs for the parts a client asks for, at most 1,000 a call. */
  public Views.PartUploads parts(String owner, String id, List<Integer> partNumbers) {
    rates.charge(owner, RequestRates.Kind.UPLOAD_URLS);
    Attachment attachment = attachments.openMultipart(owner, id);
    int partCount = attachment.multipart().partCount(attachment.size());
    if (partNumbers == null || partNumbers.isEmpty()) {
      throw Refusal.invalid(
          "send {\"partNumbers\":[1,2,...]}, at most " + MAX_PARTS_PER_CALL + " a call");
    }
    if (partNumbers.size() > MAX_PARTS_PER_CALL) {
      throw Refusal.invalid("at most " + MAX_PARTS_PER_CALL + " part numbers a call");
    }
    List<Views.PartUpload> parts = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (Integer number : partNumbers) {
      if (number == null || number < 1 || number > partCount) {
        throw Refusal.invalid(
            "part numbers run from 1 to " + partCount + "; " + number + " is not one");
      }
      if (seen.add(number)) {
        Presigned put =
            urls.part(
                attachment.objectKey(),
                attachment.multipart().uploadId(),
                number,
                attachment.multipart().partLength(attachment.size(), number),
                attachment.uploadExpiresAt());
        parts.add(new Views.PartUpload(number, "PUT", put.url(), put.headers()));
      }
    }
    Instant expiresAt = urls.urlsExpireAt(attachment.uploadExpiresAt());
    attachments.open(owner, id);
    return new Views.PartUploads(parts, expiresAt);
  }

  /** The parts S3 already holds, with size and ETag, so that a client resumes. */
  public Views.StoredParts stored(String owner, String id) {
    rates.charge(owner, RequestRates.Kind.UPLOAD_URLS); // an S3 ListParts each
    Attachment attachment = attachments.openMultipart(owner, id);
    return new Views.StoredParts(
        multipart.stored(attachment).stream()
            .map(p -> new Views.StoredPart(p.partNumber(), p.size(), p.etag()))
            .toList(),
        attachment.multipart().partCount(attachment.size()),
        attachment.multipart().partSize());
  }
}
