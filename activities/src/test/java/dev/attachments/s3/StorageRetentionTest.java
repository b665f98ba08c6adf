package dev.attachments.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentStatuses;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.NewAttachment;
import dev.attachments.metadata.OperatorActions;
import dev.attachments.retention.RetentionActivities;
import dev.attachments.retention.RetentionPage;
import dev.attachments.stack.LocalPostgres;
import dev.attachments.testing.RealS3;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The retention's activities on a real S3 (s3proxy) and PostgreSQL. */
class StorageRetentionTest {
  private static RealS3 s3;
  private static LocalPostgres postgres;
  private static Attachments attachments;
  private static AttachmentStatuses statuses;
  private static TestActivityEnvironment env;
  private static RetentionActivities retention;

  @BeforeAll
  static void start() throws Exception {
    s3 = new RealS3();
    postgres = LocalPostgres.start(Files.createTempDirectory("pg").resolve("data"));
    Flyway.configure().dataSource(postgres.dataSource()).load().migrate();
    attachments = new Attachments(postgres.dataSource());
    statuses = new AttachmentStatuses(postgres.dataSource());
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new StorageRetention(
            s3.client,
            RealS3.BUCKETS,
            attachments,
            new OperatorActions(postgres.dataSource()),
            Duration.ofDays(30)));
    retention = env.newActivityStub(RetentionActivities.class);
  }

  @AfterAll
  static void stop() throws Exception {
    env.close();
    postgres.close();
    s3.close();
  }

  private static Attachment attachment(AttachmentStatus status) {
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    attachments.create(
        new NewAttachment(
            id,
            "acme",
            "f.txt",
            "text/plain",
            4,
            null,
            null,
            now.plusSeconds(3600),
            now,
            null,
            null));
    if (status != AttachmentStatus.AWAITING_UPLOAD) {
      statuses.publish(new AttachmentState(id.toString(), status, "test", null, null));
    }
    return attachments.findAny(id).orElseThrow();
  }

  @Test
  void quarantinedFilesPastTheRetentionAreDeletedAndTheAttachmentIsDeletedWithAnAudit()
      throws Exception {
    Attachment old = attachment(AttachmentStatus.QUARANTINED);
    s3.put("quarantine", old.objectKey(), "evil".getBytes());
    Thread.sleep(20);
    Instant cutoff = Instant.now();
    Thread.sleep(20);
    Attachment recent = attachment(AttachmentStatus.QUARANTINED);
    s3.put("quarantine", recent.objectKey(), "evil".getBytes());
    Attachment released = attachment(AttachmentStatus.RELEASED);

    String cursor = null;
    int deleted = 0;
    do {
      RetentionPage page = retention.purgeQuarantined(cutoff, cursor, 1);
      deleted += page.deleted();
      cursor = page.next();
    } while (cursor != null);

    assertThat(deleted).isGreaterThanOrEqualTo(1);
    assertThat(s3.exists("quarantine", old.objectKey())).isFalse();
    Attachment gone = attachments.findAny(old.id()).orElseThrow();
    assertThat(gone.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(gone.statusReason()).isEqualTo("deleted after 30 days in quarantine");
    assertThat(new OperatorActions(postgres.dataSource()).audit(old.id()))
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.action()).isEqualTo(OperatorActions.DELETE);
              assertThat(entry.actor()).isEqualTo(StorageRetention.ACTOR);
            });
    assertThat(s3.exists("quarantine", recent.objectKey())).as("within its retention").isTrue();
    assertThat(attachments.findAny(recent.id()).orElseThrow().status())
        .isEqualTo(AttachmentStatus.QUARANTINED);
    assertThat(attachments.findAny(released.id()).orElseThrow().status())
        .isEqualTo(AttachmentStatus.RELEASED);
  }

  @Test
  void incomingKeepsOnlyWhatAnUnfinishedAttachmentNeeds() {
    Attachment waiting = attachment(AttachmentStatus.PROCESSING);
    Attachment done = attachment(AttachmentStatus.RELEASED);
    Attachment failed = attachment(AttachmentStatus.FAILED);
    String orphan = "acme/" + UUID.randomUUID();
    for (String key :
        new String[] {waiting.objectKey(), done.objectKey(), failed.objectKey(), orphan}) {
      s3.put("incoming", key, "data".getBytes());
    }

    assertThat(retention.sweepIncoming(Instant.now().minusSeconds(3600), null, 1000).deleted())
        .as("nothing is older than an hour ago")
        .isZero();
    assertThat(s3.exists("incoming", orphan)).isTrue();

    RetentionPage swept = retention.sweepIncoming(Instant.now().plusSeconds(5), null, 1000);
    assertThat(swept.kept()).isGreaterThanOrEqualTo(2);
    assertThat(s3.exists("incoming", waiting.objectKey()))
        .as("a scan that waits for clamd still reads it")
        .isTrue();
    assertThat(s3.exists("incoming", failed.objectKey()))
        .as("an operator may reprocess a FAILED attachment from it")
        .isTrue();
    assertThat(s3.exists("incoming", done.objectKey())).isFalse();
    assertThat(s3.exists("incoming", orphan)).isFalse();
  }

  @Test
  void multipartUploadsOpenPastTheWindowAreAborted() {
    String key = "acme/" + UUID.randomUUID();
    String uploadId =
        s3.client.createMultipartUpload(b -> b.bucket("incoming").key(key)).uploadId();

    assertThat(retention.abortStaleUploads(Instant.now().minusSeconds(3600), null, 1000).deleted())
        .isZero();
    RetentionPage aborted = retention.abortStaleUploads(Instant.now().plusSeconds(5), null, 1000);

    assertThat(aborted.deleted()).isGreaterThanOrEqualTo(1);
    assertThat(s3.client.listMultipartUploads(b -> b.bucket("incoming")).uploads())
        .noneMatch(upload -> upload.uploadId().equals(uploadId));
  }
}
