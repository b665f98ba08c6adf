package dev.attachments.testing;

import dev.attachments.s3.Buckets;
import dev.attachments.stack.LocalS3;
import dev.attachments.storage.S3Connection;
import java.nio.file.Files;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** s3proxy over a temporary folder with the three buckets, and SDK clients configured for it. */
public final class RealS3 implements AutoCloseable {
  public static final Buckets BUCKETS = new Buckets("incoming", "released", "quarantine");

  public final LocalS3 server;
  public final S3Client client;
  public final S3Presigner presigner;

  public RealS3() throws Exception {
    server =
        LocalS3.start(
            Files.createTempDirectory("s3"),
            "test-access",
            "test-secret",
            List.of(BUCKETS.incoming(), BUCKETS.released(), BUCKETS.quarantine()));
    S3Connection connection =
        S3Connection.of(
            server.endpoint().toString(),
            null,
            LocalS3.REGION,
            "test-access",
            "test-secret",
            false,
            false);
    client = connection.client();
    presigner = connection.presigner();
  }

  public void put(String bucket, String key, byte[] content) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
  }

  /** As a client's PUT of an upload declared {@code contentType}. */
  public void put(String bucket, String key, byte[] content, String contentType) {
    client.putObject(
        b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(content));
  }

  public byte[] get(String bucket, String key) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  public boolean exists(String bucket, String key) {
    return client.listObjectsV2(b -> b.bucket(bucket).prefix(key)).keyCount() > 0;
  }

  @Override
  public void close() throws Exception {
    client.close();
    presigner.close();
    server.close();
  }
}
