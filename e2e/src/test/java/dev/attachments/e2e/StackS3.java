package dev.attachments.e2e;

import dev.attachments.stack.EmbeddedStack;
import dev.attachments.storage.S3Connection;
import software.amazon.awssdk.services.s3.S3Client;

/** An S3 client on the embedded stack's s3proxy, for tests that look into the buckets. */
final class StackS3 {
  static S3Client client(EmbeddedStack stack) {
    return S3Connection.of(
            stack.s3().endpoint().toString(),
            null,
            "us-east-1",
            stack.s3().accessKey(),
            stack.s3().secretKey(),
            false,
            false)
        .client();
  }

  /** Whether the bucket holds an object under the key. */
  static boolean stored(S3Client s3, String bucket, String key) {
    return s3.listObjectsV2(b -> b.bucket(bucket).prefix(key)).keyCount() > 0;
  }

  private StackS3() {}
}
