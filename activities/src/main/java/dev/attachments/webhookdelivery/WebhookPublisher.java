package dev.attachments.webhookdelivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.attachments.metadata.Attachment;
import dev.attachments.metadata.AttachmentView;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.WebhookRepository;
import dev.attachments.webhook.Event;
import dev.attachments.webhook.WebhookActivities;
import dev.attachments.webhook.WebhookTargets;
import dev.attachments.webhook.WebhookWorkflow;
import dev.attachments.workflow.TaskQueues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.activity.Activity;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Records events with their payload and POSTs them, signed, to the owners' endpoints. Signature
 * header: {@code Attachments-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the
 * endpoint's secret>}.
 */
// emit runs on the main queue, next to the attachment workflow; record and deliver on the webhooks
// queue
@ActivityImpl(taskQueues = {TaskQueues.MAIN_PLACEHOLDER, TaskQueues.WEBHOOKS_PLACEHOLDER})
public class WebhookPublisher implements WebhookActivities {
  public static final String SIGNATURE_HEADER = "Attachments-Signature";

  /**
   * One delivery, connect to the receiver's status line, takes at most this long; the activity's
   * start-to-close (30 s) leaves room for recording it.
   */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  private final WebhookRepository webhooks;
  private final Attachments attachments;
  private final WorkflowClient temporal;
  private final String taskQueue;
  private final WebhookTargets targets;
  private final WebhookSender sender;
  private final UnaryOperator<String> previewUrl;
  private final MeterRegistry meters;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /**
   * @param taskQueue where the webhook workflows run
   * @param previewUrl turns a stored preview reference into a URL a receiver can fetch
   * @param meters where delivery outcomes are counted
   */
  public WebhookPublisher(
      WebhookRepository webhooks,
      Attachments attachments,
      WorkflowClient temporal,
      String taskQueue,
      WebhookTargets targets,
      UnaryOperator<String> previewUrl,
      MeterRegistry meters) {
    this.meters = meters;
    this.webhooks = webhooks;
    this.attachments = attachments;
    this.temporal = temporal;
    this.taskQueue = taskQueue;
    this.targets = targets;
    this.sender = new WebhookSender(targets, DEADLINE);
    this.previewUrl = previewUrl;
  }

  @Override
  public void emit(Event event) {
    if (webhooks.subscribers(event.owner(), event.type().wireName()).isEmpty()) {
      return; // nobody listens: no delivery workflow to clutter the Temporal UI
    }
    WebhookWorkflow workflow =
        temporal.newWorkflowStub(
            WebhookWorkflow.class, WebhookWorkflow.startOptions(event.attachmentId(), taskQueue));
    BatchRequest request = temporal.newSignalWithStartRequest();
    request.add(workflow::deliverEvents, event.attachmentId());
    request.add(workflow::eventHappened, event);
    temporal.signalWithStart(request);
  }

  @Override
  public List<String> record(Event event) {
    Attachment attachment =
        attachments
            .find(event.owner(), UUID.fromString(event.attachmentId()))
            .orElseThrow(() -> new IllegalStateException("no attachment " + event.attachmentId()));
    ObjectNode body = json.createObjectNode();
    body.put("id", event.id());
    body.put("type", event.type().wireName());
    body.put("occurredAt", event.occurredAt().toString());
    body.set("attachment", json.valueToTree(AttachmentView.of(attachment, previewUrl)));
    String text;
    try {
      text = json.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    webhooks.recordEvent(
        new WebhookRepository.Event(
            UUID.fromString(event.id()),
            event.owner(),
            attachment.id(),
            event.type().wireName(),
            event.occurredAt(),
            text));
    List<UUID> endpoints =
        webhooks.subscribers(event.owner(), event.type().wireName()).stream()
            .map(WebhookRepository.Endpoint::id)
            .toList();
    webhooks.awaitDelivery(UUID.fromString(event.id()), endpoints, event.occurredAt());
    return endpoints.stream().map(UUID::toString).toList();
  }

  @Override
  public void deliver(String eventId, String endpointId) {
    WebhookRepository.Event event = webhooks.event(UUID.fromString(eventId)).orElseThrow();
    WebhookRepository.Endpoint endpoint =
        webhooks.endpoint(event.owner(), UUID.fromString(endpointId)).orElse(null);
    if (endpoint == null) {
      webhooks.settle(event.id(), UUID.fromString(endpointId));
      return; // deleted since: nobody to tell
    }
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    UUID deliveryId =
        UUID.nameUUIDFromBytes(
            (eventId
                    + "/"
                    + endpointId
                    + "/"
                    + Activity.getExecutionContext().getInfo().getActivityId()
                    + "/"
                    + attempt)
                .getBytes());
    URI target;
    try {
      target = targets.parse(endpoint.url());
    } catch (IllegalArgumentException refused) {
      record(deliveryId, event, endpoint, attempt, null, refused.getMessage());
      throw refusedForGood(event, endpoint, refused.getMessage());
    }
    long timestamp = Instant.now().getEpochSecond();
    int status;
    try {
      status =
          sender.post(
              target,
              Map.of(
                  "Attachments-Event-Id",
                  eventId,
                  SIGNATURE_HEADER,
                  "t=" + timestamp + ",v1=" + sign(endpoint.secret(), timestamp, event.body())),
              event.body());
    } catch (WebhookSender.RefusedAddress refused) {
      record(deliveryId, event, endpoint, attempt, null, refused.getMessage());
      throw refusedForGood(event, endpoint, refused.getMessage());
    } catch (IOException e) {
      record(
          deliveryId,
          event,
          endpoint,
          attempt,
          null,
          e.getClass().getSimpleName() + ": " + e.getMessage());
      counted("unanswered");
      throw ApplicationFailure.newFailure(
          "the receiver did not answer: " + e.getMessage(), "WebhookUnavailable");
    }
    record(deliveryId, event, endpoint, attempt, status, null);
    if (status >= 200 && status < 300) {
      webhooks.settle(event.id(), endpoint.id());
      counted("delivered");
      return;
    }
    if (status == 429 || status >= 500) {
      counted("unavailable");
      throw ApplicationFailure.newFailure("the receiver answered " + status, "WebhookUnavailable");
    }
    throw refusedForGood(event, endpoint, "the receiver answered " + status);
  }

  /** Not to be sent again: the event waits no more for this endpoint. */
  private ApplicationFailure refusedForGood(
      WebhookRepository.Event event, WebhookRepository.Endpoint endpoint, String why) {
    webhooks.settle(event.id(), endpoint.id());
    counted("refused");
    return ApplicationFailure.newNonRetryableFailure(why, REFUSED);
  }

  /**
   * {@code attachments_webhook_deliveries_total} by outcome: delivered (2xx), refused (4xx or an
   * address not allowed, never retried), unavailable (429, 5xx) and unanswered (retried).
   */
  private void counted(String outcome) {
    Counter.builder("attachments.webhook.deliveries")
        .description("webhook delivery attempts, by outcome")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  private void record(
      UUID deliveryId,
      WebhookRepository.Event event,
      WebhookRepository.Endpoint endpoint,
      int attempt,
      Integer status,
      String error) {
    webhooks.recordDelivery(
        new WebhookRepository.Delivery(
            deliveryId,
            event.id(),
            event.type(),
            endpoint.id(),
            attempt,
            status,
            error,
            Instant.now()));
  }

  /** Hex HMAC-SHA256 of {@code "<timestamp>.<body>"} with the endpoint's secret. */
  public static String sign(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
