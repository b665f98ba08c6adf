package dev.attachments.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attachments.testing.RealS3;
import dev.attachments.testing.TestFiles;
import dev.attachments.upload.StorageActivities;
import dev.attachments.upload.StoredObject;
import io.temporal.failure.ApplicationFailure;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class S3StorageTest {
  private static RealS3 s3;
  private static S3Storage storage;

  @BeforeAll
  static void start() throws Exception {
    s3 = new RealS3();
    storage = new S3Storage(s3.client, RealS3.BUCKETS);
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private static String key() {
    return "acme/" + UUID.randomUUID();
  }

  @Test
  void uploadIsSeenOnceItArrives() {
    String key = key();
    assertThat(storage.isUploaded(key)).isFalse();

    s3.put("incoming", key, TestFiles.png(10, 10));

    assertThat(storage.isUploaded(key)).isTrue();
  }

  @Test
  void uploadOfTheDeclaredSizeIsVerified() {
    String key = key();
    byte[] png = TestFiles.png(20, 20);
    s3.put("incoming", key, png);

    StoredObject stored = storage.verify(key, png.length);

    assertThat(stored.size()).isEqualTo(png.length);
    assertThat(stored.etag()).isNotBlank();
  }

  @Test
  void uploadOfAnotherSizeFailsVerificationForGood() {
    String key = key();
    byte[] png = TestFiles.png(20, 20);
    s3.put("incoming", key, png);

    assertThatThrownBy(() -> storage.verify(key, png.length + 1L))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(StorageActivities.SIZE_MISMATCH);
              assertThat(failure.isNonRetryable()).isTrue();
              assertThat(failure.getOriginalMessage()).contains(Integer.toString(png.length));
            });
  }

  @Test
  void missingUploadFailsVerificationForGood() {
    assertThatThrownBy(() -> storage.verify(key(), 10))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo(StorageActivities.UPLOAD_MISSING));
  }

  @Test
  void releaseMovesTheBytesAndARetriedReleaseIsHarmless() {
    String key = key();
    byte[] png = TestFiles.png(30, 30);
    s3.put("incoming", key, png);

    storage.release(key);
    storage.release(key);

    assertThat(s3.get("released", key)).isEqualTo(png);
    assertThat(s3.exists("incoming", key)).isFalse();
    assertThat(s3.exists("quarantine", key)).isFalse();
  }

  @Test
  void quarantineKeepsTheFileAwayFromTheReleasedBucket() {
    String key = key();
    s3.put("incoming", key, TestFiles.eicar());

    storage.quarantine(key);

    assertThat(s3.get("quarantine", key)).isEqualTo(TestFiles.eicar());
    assertThat(s3.exists("released", key)).isFalse();
    assertThat(s3.exists("incoming", key)).isFalse();
  }

  @Test
  void operatorsReleaseMovesAQuarantinedFileToTheReleasedBucketOnce() {
    String key = key();
    s3.put("incoming", key, TestFiles.eicar());
    storage.quarantine(key);

    storage.releaseFromQuarantine(key);
    storage.releaseFromQuarantine(key);

    assertThat(s3.get("released", key)).isEqualTo(TestFiles.eicar());
    assertThat(s3.exists("quarantine", key)).isFalse();
  }

  @Test
  void releaseFromQuarantineOfAFileThatIsNowhereFailsForGood() {
    assertThatThrownBy(() -> storage.releaseFromQuarantine(key()))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(StorageActivities.UPLOAD_MISSING);
              assertThat(failure.getOriginalMessage()).contains("quarantine");
            });
  }

  @Test
  void largeObjectIsCopiedInParallelPartsByteForByte() {
    // a threshold of 6 MiB and 5 MiB parts make a 13 MiB object go in three parts, the last one
    // short
    S3Storage inParts =
        new S3Storage(s3.client, RealS3.BUCKETS, new S3Storage.Copying(6 << 20, 5 << 20, 3));
    String key = key();
    byte[] content = new byte[13 * 1024 * 1024 + 123];
    new java.util.Random(3).nextBytes(content);
    s3.put("incoming", key, content);

    inParts.release(key);

    assertThat(s3.get("released", key)).isEqualTo(content);
    assertThat(s3.exists("incoming", key)).isFalse();
    assertThat(s3.client.listMultipartUploads(b -> b.bucket("released")).uploads()).isEmpty();
  }

  @Test
  void discardAbortsAnOpenMultipartUpload() {
    String key = key();
    openUploadWithOnePart(key);

    storage.discardUpload(key);

    assertThat(s3.client.listMultipartUploads(b -> b.bucket("incoming").prefix(key)).uploads())
        .isEmpty();
    assertThat(s3.exists("incoming", key)).isFalse();
  }

  @Test
  void discardLeavesNothingInIncomingAndIsHarmlessTwice() {
    String key = key();
    s3.put("incoming", key, TestFiles.png(5, 5));

    storage.discardUpload(key);
    storage.discardUpload(key);

    assertThat(s3.exists("incoming", key)).isFalse();
  }

  @Test
  void deletingEverywhereLeavesNoCopyInAnyBucketNorAnOpenUploadAndIsHarmlessTwice() {
    String key = key();
    openUploadWithOnePart(key);
    for (String bucket : new String[] {"incoming", "quarantine", "released"}) {
      s3.put(bucket, key, TestFiles.png(5, 5));
    }
    String neighbour = key + "0"; // another key the prefix listing finds too: its upload stays
    s3.client.createMultipartUpload(b -> b.bucket("incoming").key(neighbour));

    storage.deleteEverywhere(key);
    storage.deleteEverywhere(key);

    for (String bucket : new String[] {"incoming", "quarantine", "released"}) {
      assertThat(s3.exists(bucket, key)).as(bucket).isFalse();
    }
    assertThat(s3.client.listMultipartUploads(b -> b.bucket("incoming").prefix(key)).uploads())
        .extracting(software.amazon.awssdk.services.s3.model.MultipartUpload::key)
        .containsExactly(neighbour);
  }

  /** A multipart upload in incoming with its first part, as a client leaves it halfway. */
  private static void openUploadWithOnePart(String key) {
    String uploadId =
        s3.client.createMultipartUpload(b -> b.bucket("incoming").key(key)).uploadId();
    s3.client.uploadPart(
        b -> b.bucket("incoming").key(key).uploadId(uploadId).partNumber(1),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[1024]));
  }
}
