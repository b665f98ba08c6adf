package dev.attachments.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AttachmentStoresTest {
  private static EmbeddedPostgres postgres;
  private static Attachments attachments;
  private static AttachmentStatuses statuses;
  private static OperatorActions actions;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    Flyway.configure().dataSource(postgres.getPostgresDatabase()).load().migrate();
    attachments = new Attachments(postgres.getPostgresDatabase());
    statuses = new AttachmentStatuses(postgres.getPostgresDatabase());
    actions = new OperatorActions(postgres.getPostgresDatabase());
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  private static NewAttachment newAttachment(
      String owner, String idempotencyKey, Instant createdAt) {
    return new NewAttachment(
        UUID.randomUUID(),
        owner,
        "logo.png",
        "image/png",
        1234,
        null,
        idempotencyKey,
        createdAt.plus(Duration.ofDays(1)),
        createdAt,
        null,
        null);
  }

  @Test
  void createdAttachmentIsVisibleToItsOwnerOnly() {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);

    Attachment found = attachments.find(created.owner(), created.id()).orElseThrow();
    assertThat(found.status()).isEqualTo(AttachmentStatus.AWAITING_UPLOAD);
    assertThat(found.filename()).isEqualTo("logo.png");
    assertThat(found.scan()).isNull();
    assertThat(attachments.find("someone-else", created.id())).isEmpty();
  }

  @Test
  void operatorsOverruleOnlyTheFinalStatusTheyNameAndEachActionIsAudited() {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);
    UUID id = created.id();
    statuses.publish(
        new AttachmentState(
            id.toString(), AttachmentStatus.QUARANTINED, "infected: X", null, null));

    assertThat(actions.reopenFailed(id, "alice", "not failed", false))
        .as("only FAILED is reopened")
        .isEmpty();
    OperatorActions.AuditEntry release =
        actions.releaseQuarantined(id, "alice", "false positive").orElseThrow();
    assertThat(actions.releaseQuarantined(id, "bob", "twice")).as("once").isEmpty();

    Attachment opened = attachments.findAny(id).orElseThrow();
    assertThat(opened.status()).isEqualTo(AttachmentStatus.PROCESSING);
    assertThat(opened.statusReason()).isEqualTo("being released by alice: false positive");
    assertThat(release.action()).isEqualTo(OperatorActions.RELEASE);

    statuses.publish(
        new AttachmentState(id.toString(), AttachmentStatus.FAILED, "gave up", null, null));
    OperatorActions.AuditEntry rescan =
        actions.reopenFailed(id, "bob", "from the scan", true).orElseThrow();

    assertThat(rescan.action()).isEqualTo(OperatorActions.RESCAN);
    assertThat(actions.audit(id))
        .extracting(OperatorActions.AuditEntry::id)
        .containsExactly(release.id(), rescan.id());
    assertThat(actions.audit(id))
        .extracting(OperatorActions.AuditEntry::actor)
        .containsExactly("alice", "bob");
  }

  @Test
  void anOwnersDeletionIsFinalAtOnceDropsThePreviewsAndIsAuditedOnce() {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);
    UUID id = created.id();
    statuses.publish(
        new AttachmentState(
            id.toString(),
            AttachmentStatus.RELEASED,
            null,
            null,
            Preview.ready(Map.of("thumbnail", "https://res.cloudinary.com/demo/t.jpg"))));

    OperatorActions.AuditEntry deletion =
        actions.deleteByOwner(id, created.owner(), "deleted by its owner");
    OperatorActions.AuditEntry repeated =
        actions.deleteByOwner(id, created.owner(), "deleted by its owner");
    // the workflow, still running, publishes the release it was finishing: nothing moves back
    statuses.publish(
        new AttachmentState(id.toString(), AttachmentStatus.RELEASED, null, null, null));

    Attachment deleted = attachments.findAny(id).orElseThrow();
    assertThat(deleted.status()).isEqualTo(AttachmentStatus.DELETED);
    assertThat(deleted.statusReason()).isEqualTo("deleted by its owner");
    assertThat(deleted.preview()).as("no preview URL is handed out any more").isNull();
    assertThat(repeated.id())
        .as("a repeated DELETE names the same deletion")
        .isEqualTo(deletion.id());
    assertThat(actions.audit(id))
        .extracting(OperatorActions.AuditEntry::action, OperatorActions.AuditEntry::actor)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(OperatorActions.OWNER_DELETE, created.owner()));
    assertThat(actions.releaseQuarantined(id, "alice", "too late")).isEmpty();
    assertThat(actions.reopenFailed(id, "alice", "too late", false)).isEmpty();
  }

  @Test
  void multipartUploadIsKeptWithItsPartSize() {
    NewAttachment created =
        new NewAttachment(
            UUID.randomUUID(),
            "acme-" + UUID.randomUUID(),
            "film.mp4",
            "video/mp4",
            20_000_001L,
            null,
            null,
            Instant.now().plus(Duration.ofDays(1)),
            Instant.now(),
            "upload-7",
            8_388_608L);
    attachments.create(created);

    Attachment found = attachments.find(created.owner(), created.id()).orElseThrow();

    assertThat(found.multipart().uploadId()).isEqualTo("upload-7");
    assertThat(found.multipart().partCount(found.size())).isEqualTo(3);
    assertThat(found.multipart().partLength(found.size(), 3))
        .isEqualTo(20_000_001L - 2 * 8_388_608L);
  }

  @Test
  void sameIdempotencyKeyAnswersTheFirstAttachment() {
    String owner = "acme-" + UUID.randomUUID();
    Attachments.Created first = attachments.create(newAttachment(owner, "key-1", Instant.now()));
    Attachments.Created second = attachments.create(newAttachment(owner, "key-1", Instant.now()));

    assertThat(first.isNew()).isTrue();
    assertThat(second.isNew()).isFalse();
    assertThat(second.attachment().id()).isEqualTo(first.attachment().id());
  }

  @Test
  void publishedStateIsReadBackWithScanAndPreview() {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);
    ScanResult scan =
        new ScanResult(
            ScanVerdict.CLEAN,
            null,
            "ClamAV 1.4.6",
            "ab".repeat(32),
            "image/png",
            1234,
            Instant.now(),
            "etag-1");
    Preview preview =
        new Preview(PreviewStatus.READY, Map.of("thumbnail", "https://cdn/t.jpg"), null, 12);

    statuses.publish(
        new AttachmentState(
            created.id().toString(), AttachmentStatus.RELEASED, null, scan, preview));

    Attachment found = attachments.find(created.owner(), created.id()).orElseThrow();
    assertThat(found.status()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(found.sha256()).isEqualTo("ab".repeat(32));
    assertThat(found.scan().verdict()).isEqualTo(ScanVerdict.CLEAN);
    assertThat(found.scan().engine()).isEqualTo("ClamAV 1.4.6");
    assertThat(found.scan().etag()).isEqualTo("etag-1");
    assertThat(found.preview().status()).isEqualTo(PreviewStatus.READY);
    assertThat(found.preview().urls()).containsEntry("thumbnail", "https://cdn/t.jpg");
    assertThat(found.preview().pages()).isEqualTo(12);

    statuses.publish(
        new AttachmentState(
            created.id().toString(),
            AttachmentStatus.RELEASED,
            null,
            scan,
            preview.settled(PreviewStatus.FAILED, "Cloudinary gave up")));
    Attachment failed = attachments.find(created.owner(), created.id()).orElseThrow();
    assertThat(failed.preview().status()).isEqualTo(PreviewStatus.FAILED);
    assertThat(failed.preview().urls()).isEmpty();
    assertThat(failed.preview().reason()).isEqualTo("Cloudinary gave up");
  }

  @Test
  void finalStatusIsNeverMovedBackByALateOrReplayedWrite() {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);
    String id = created.id().toString();

    assertThat(
            statuses.publish(
                new AttachmentState(id, AttachmentStatus.QUARANTINED, "infected", null, null)))
        .isPresent();
    assertThat(
            statuses.publish(
                new AttachmentState(id, AttachmentStatus.PROCESSING, null, null, null)))
        .isEmpty();
    assertThat(
            statuses.publish(new AttachmentState(id, AttachmentStatus.RELEASED, null, null, null)))
        .isEmpty();

    assertThat(attachments.find(created.owner(), created.id()).orElseThrow().status())
        .isEqualTo(AttachmentStatus.QUARANTINED);
  }

  @Test
  void eachPublicationSaysWhatItChangedOnceSoNothingIsCountedTwice() {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);
    String id = created.id().toString();
    Backlog backlog = new Backlog(postgres.getPostgresDatabase());
    long waitingBefore = backlog.processing().count();

    AttachmentStatuses.Change found =
        statuses
            .publish(new AttachmentState(id, AttachmentStatus.PROCESSING, null, null, null))
            .orElseThrow();
    assertThat(found.before()).isEqualTo(AttachmentStatus.AWAITING_UPLOAD);
    assertThat(found.processingSince()).isNull();
    AttachmentStatuses.Change again =
        statuses
            .publish(new AttachmentState(id, AttachmentStatus.PROCESSING, null, null, null))
            .orElseThrow();
    assertThat(again.before()).as("a retried write").isEqualTo(AttachmentStatus.PROCESSING);
    assertThat(again.processingSince()).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
    assertThat(backlog.processing().count()).isEqualTo(waitingBefore + 1);
    assertThat(backlog.processing().oldest()).isBeforeOrEqualTo(again.processingSince());

    Preview ready = new Preview(PreviewStatus.READY, Map.of(), null, null);
    AttachmentStatuses.Change released =
        statuses
            .publish(new AttachmentState(id, AttachmentStatus.RELEASED, null, null, ready))
            .orElseThrow();
    assertThat(released.before()).isEqualTo(AttachmentStatus.PROCESSING);
    assertThat(released.processingSince()).isEqualTo(again.processingSince());
    assertThat(released.previewBefore()).isNull();
    AttachmentStatuses.Change republished =
        statuses
            .publish(new AttachmentState(id, AttachmentStatus.RELEASED, null, null, ready))
            .orElseThrow();
    assertThat(republished.before()).isEqualTo(AttachmentStatus.RELEASED);
    assertThat(republished.previewBefore()).isEqualTo(PreviewStatus.READY);
    assertThat(backlog.processing().count()).isEqualTo(waitingBefore);
  }

  @Test
  void anAttachmentAnOperatorReopensProcessesFromThenNotFromItsFirstTry() throws Exception {
    NewAttachment created = newAttachment("acme-" + UUID.randomUUID(), null, Instant.now());
    attachments.create(created);
    String id = created.id().toString();
    statuses.publish(new AttachmentState(id, AttachmentStatus.PROCESSING, null, null, null));
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      statement.execute(
          "update attachment set processing_since = now() - interval '3 days' where id = '"
              + id
              + "'");
    }
    statuses.publish(new AttachmentState(id, AttachmentStatus.QUARANTINED, "infected", null, null));

    assertThat(actions.releaseQuarantined(created.id(), "bob", "false positive")).isPresent();
    AttachmentStatuses.Change released =
        statuses
            .publish(new AttachmentState(id, AttachmentStatus.RELEASED, null, null, null))
            .orElseThrow();
    assertThat(released.processingSince())
        .as("the release latency counts from the operator's release")
        .isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
  }

  @Test
  void webhookEventsWaitUntilTheirReceiverTookThemOrItsEndpointWentAway() {
    DataSource db = postgres.getPostgresDatabase();
    WebhookRepository webhooks = new WebhookRepository(db);
    Backlog backlog = new Backlog(db);
    String owner = "acme-" + UUID.randomUUID();
    NewAttachment created = newAttachment(owner, null, Instant.now());
    attachments.create(created);
    WebhookRepository.Endpoint taker = endpoint(webhooks, owner);
    WebhookRepository.Endpoint leaver = endpoint(webhooks, owner);
    long waitingBefore = backlog.undelivered(Duration.ofDays(1)).retried().count();
    Instant occurred = Instant.now().minusSeconds(30);
    UUID eventId = UUID.randomUUID();
    webhooks.recordEvent(
        new WebhookRepository.Event(
            eventId, owner, created.id(), "attachment.released", occurred, "{}"));

    webhooks.awaitDelivery(eventId, List.of(taker.id(), leaver.id()), occurred);
    webhooks.awaitDelivery(eventId, List.of(taker.id(), leaver.id()), occurred);
    Backlog.Waiting waiting = backlog.undelivered(Duration.ofDays(1)).retried();
    assertThat(waiting.count()).as("a retried mark counts once").isEqualTo(waitingBefore + 2);
    assertThat(waiting.oldestAge(Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(29));
    assertThat(backlog.undelivered(Duration.ofSeconds(10)).retried().count())
        .as("older than the give-up window")
        .isEqualTo(0);
    assertThat(backlog.undelivered(Duration.ofSeconds(10)).givenUp()).isGreaterThanOrEqualTo(2);

    webhooks.settle(eventId, taker.id());
    assertThat(backlog.undelivered(Duration.ofDays(1)).retried().count())
        .isEqualTo(waitingBefore + 1);
    webhooks.deleteEndpoint(owner, leaver.id());
    assertThat(backlog.undelivered(Duration.ofDays(1)).retried().count()).isEqualTo(waitingBefore);
  }

  private static WebhookRepository.Endpoint endpoint(WebhookRepository webhooks, String owner) {
    return webhooks.createEndpoint(
        new WebhookRepository.Endpoint(
            UUID.randomUUID(),
            owner,
            "https://receiver.example/hook",
            List.of("attachment.released"),
            "secret",
            Instant.now()));
  }

  @Test
  void listingPagesNewestFirstWithoutGapsOrRepeats() {
    String owner = "acme-" + UUID.randomUUID();
    Instant start = Instant.parse("2026-01-01T00:00:00.123456789Z");
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      NewAttachment attachment = newAttachment(owner, null, start.plusMillis(i));
      attachments.create(attachment);
      ids.add(0, attachment.id());
    }

    List<UUID> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page page = attachments.list(owner, null, 3, cursor);
      page.items().forEach(a -> seen.add(a.id()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);

    assertThat(seen).containsExactlyElementsOf(ids);
    assertThat(pages).isEqualTo(3);
    assertThat(attachments.list(owner, AttachmentStatus.RELEASED, 10, null).items()).isEmpty();
  }

  @Test
  void foreignCursorIsRefused() {
    assertThatThrownBy(() -> attachments.list("acme", null, 10, "not-a-cursor"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
