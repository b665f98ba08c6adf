package dev.attachments.testing;

import dev.attachments.clamd.ClamdClient;
import dev.attachments.clamd.ClamdScanner;
import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.publish.MetadataActivities;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.stack.LocalClamd;
import dev.attachments.upload.StorageActivities;
import dev.attachments.webhook.Event;
import dev.attachments.webhook.WebhookActivities;
import dev.attachments.workflow.AttachmentRequest;
import dev.attachments.workflow.AttachmentSearchAttributes;
import dev.attachments.workflow.AttachmentState;
import dev.attachments.workflow.AttachmentWorkflow;
import dev.attachments.workflow.AttachmentWorkflowImpl;
import dev.attachments.workflow.TaskQueues;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The attachment workflow on Temporal's test server, running on the storage and scanner a test
 * gives it (real S3Storage and ClamdScanner, or those with an attacker's move around them); the
 * metadata store, webhooks and previews reduced to a record of what was published.
 */
public final class WorkflowOnRealParts implements AutoCloseable {
  private static final TaskQueues QUEUES = new TaskQueues("main", "scan", "media");

  public final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  public final WorkflowClient client;

  /** Every state the workflow published, in order. */
  public final List<AttachmentState> published = new CopyOnWriteArrayList<>();

  public WorkflowOnRealParts(StorageActivities storage, ScannerActivities scanner) {
    AttachmentSearchAttributes.ALL.forEach(
        (name, type) ->
            env.registerSearchAttribute(
                name,
                type.equals("INT")
                    ? IndexedValueType.INDEXED_VALUE_TYPE_INT
                    : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    Bookkeeping bookkeeping = new Bookkeeping();
    Worker main = env.newWorker(QUEUES.main());
    main.registerWorkflowImplementationTypes(AttachmentWorkflowImpl.class);
    main.registerActivitiesImplementations(storage, bookkeeping);
    env.newWorker(QUEUES.scan()).registerActivitiesImplementations(scanner);
    env.newWorker(QUEUES.media()).registerActivitiesImplementations(bookkeeping);
    env.start();
    client = env.getWorkflowClient();
  }

  /**
   * The real scanner on that clamd, taking streams up to clamd-scanning.conf's 2047 MiB.
   *
   * @param maxSignatureAge null to take any signature database
   */
  public static ClamdScanner scanner(RealS3 s3, LocalClamd clamd, Duration maxSignatureAge) {
    return new ClamdScanner(
        s3.client,
        RealS3.BUCKETS,
        new ClamdClient(
            clamd.host(), clamd.port(), Duration.ofSeconds(2), Duration.ofSeconds(30), 64 * 1024),
        2047L * 1024 * 1024,
        maxSignatureAge,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  /** A text file's request, giving up after {@code giveUpAfter} of failing steps. */
  public AttachmentRequest request(long size, Duration giveUpAfter) {
    return request(size, giveUpAfter, "text/plain");
  }

  public AttachmentRequest request(long size, Duration giveUpAfter, String contentType) {
    String id = UUID.randomUUID().toString();
    return new AttachmentRequest(
        id,
        "acme",
        "notes.txt",
        contentType,
        size,
        null,
        "acme/" + id,
        Instant.ofEpochMilli(env.currentTimeMillis()).plus(Duration.ofHours(24)),
        QUEUES,
        null,
        null,
        null,
        giveUpAfter,
        Duration.ofMinutes(15),
        null);
  }

  public AttachmentWorkflow start(AttachmentRequest request) {
    AttachmentWorkflow workflow =
        client.newWorkflowStub(
            AttachmentWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(AttachmentRequest.workflowId(request.attachmentId()))
                .setTaskQueue(QUEUES.main())
                .build());
    WorkflowClient.start(workflow::process, request);
    return workflow;
  }

  @Override
  public void close() {
    env.close();
  }

  private final class Bookkeeping
      implements MetadataActivities, WebhookActivities, OptimizerActivities {
    @Override
    public void publish(AttachmentState state) {
      published.add(state);
    }

    @Override
    public void announce(AttachmentState state, Event event) {
      publish(state);
    }

    @Override
    public void emit(Event event) {}

    @Override
    public List<String> record(Event event) {
      return List.of();
    }

    @Override
    public void deliver(String eventId, String endpointId) {}

    @Override
    public Preview optimize(PreviewRequest request) {
      return Preview.of(PreviewStatus.NOT_CONFIGURED, null);
    }

    @Override
    public void deletePreviews(PreviewRequest request) {}
  }
}
