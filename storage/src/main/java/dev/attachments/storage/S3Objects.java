package dev.attachments.storage;

import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Small things the api and the worker both ask of S3 objects. */
public final class S3Objects {
  private static final String SCHEME = "s3://";

  /** The object's metadata, or null when there is no such object. */
  public static HeadObjectResponse headOrNull(S3Client s3, String bucket, String key) {
    try {
      return s3.headObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  /** How a stored preview names an object of ours, as opposed to a URL somebody else serves. */
  public static String reference(String bucket, String key) {
    return SCHEME + bucket + "/" + key;
  }

  /**
   * A URL a client can fetch for a stored preview: an object of {@code bucket} ({@code
   * s3://bucket/key}) as a presigned GET valid for {@code ttl}; any other URL (Cloudinary's) as it
   * is.
   */
  public static String fetchable(
      String stored, String bucket, S3Presigner presigner, Duration ttl) {
    String prefix = SCHEME + bucket + "/";
    if (!stored.startsWith(prefix)) {
      return stored;
    }
    String key = stored.substring(prefix.length());
    return presigner
        .presignGetObject(
            p -> p.signatureDuration(ttl).getObjectRequest(get -> get.bucket(bucket).key(key)))
        .url()
        .toString();
  }

  private S3Objects() {}
}
