package dev.attachments.api.webhooks;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.auth.ApiKeyFilter;
import dev.attachments.metadata.WebhookRepository;
import dev.attachments.metadata.WebhookTargets;
import dev.attachments.webhook.EventType;
import dev.attachments.webhook.WebhookWorkflow;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** The owner's webhook endpoints, their delivery attempts, and redelivery. */
@Controller("/v1/webhooks")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WebhooksController {
  private static final int MAX_ENDPOINTS = 20;

  private final WebhookRepository webhooks;
  private final WebhookTargets targets;
  private final WorkflowClient temporal;
  private final String taskQueue;
  private final SecureRandom random = new SecureRandom();

  public WebhooksController(
      WebhookRepository webhooks,
      WorkflowClient temporal,
      ApiSettings.Webhooks settings,
      ApiSettings.Temporal queues) {
    this.webhooks = webhooks;
    this.targets = new WebhookTargets(settings.allowHttp());
    this.temporal = temporal;
    this.taskQueue = queues.webhooksQueue();
  }

  @Serdeable
  public record NewEndpoint(@Nullable String url, @Nullable List<String> events) {}

  /** An endpoint; {@code secret} only in the answer to its creation. */
  @Serdeable
  public record EndpointView(
      String id, String url, List<String> events, @Nullable String secret, Instant createdAt) {
    static EndpointView of(WebhookRepository.Endpoint e, boolean withSecret) {
      return new EndpointView(
          e.id().toString(), e.url(), e.events(), withSecret ? e.secret() : null, e.createdAt());
    }
  }

  @Serdeable
  public record Endpoints(List<EndpointView> items) {}

  @Serdeable
  public record DeliveryView(
      String id,
      String eventId,
      String type,
      int attempt,
      @Nullable Integer statusCode,
      @Nullable String error,
      Instant at) {}

  @Serdeable
  public record Deliveries(List<DeliveryView> items) {}

  @Post
  public HttpResponse<EndpointView> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, @Body @Nullable NewEndpoint body) {
    if (body == null || body.url() == null || body.url().isBlank()) {
      throw Refusal.invalid(
          "send {\"url\":\"https://...\",\"events\":[\"attachment.released\",...]}");
    }
    try {
      targets.check(body.url());
    } catch (IllegalArgumentException refused) {
      throw Refusal.of(Refusal.Kind.UNPROCESSABLE, "webhook-url-refused", refused.getMessage());
    }
    if (body.events() == null || body.events().isEmpty()) {
      throw Refusal.invalid("events must name at least one of " + wireNames());
    }
    LinkedHashSet<String> events = new LinkedHashSet<>();
    for (String event : body.events()) {
      if (event == null || EventType.ofWireName(event).isEmpty()) {
        throw Refusal.invalid("event '" + event + "' is not one of " + wireNames());
      }
      events.add(event);
    }
    if (webhooks.endpoints(owner).size() >= MAX_ENDPOINTS) {
      throw Refusal.conflict(
          "too-many-webhooks", "an owner has at most " + MAX_ENDPOINTS + " endpoints");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    WebhookRepository.Endpoint endpoint =
        webhooks.createEndpoint(
            new WebhookRepository.Endpoint(
                UUID.randomUUID(),
                owner,
                body.url().trim(),
                new ArrayList<>(events),
                "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
                Instant.now()));
    return HttpResponse.created(EndpointView.of(endpoint, true));
  }

  @Get
  public Endpoints list(@RequestAttribute(ApiKeyFilter.OWNER) String owner) {
    return new Endpoints(
        webhooks.endpoints(owner).stream().map(e -> EndpointView.of(e, false)).toList());
  }

  @Delete("/{id}")
  public HttpResponse<Void> delete(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    if (!webhooks.deleteEndpoint(owner, uuid(id))) {
      throw Refusal.notFound("no webhook endpoint " + id);
    }
    return HttpResponse.noContent();
  }

  @Get("/{id}/deliveries")
  public Deliveries deliveries(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    WebhookRepository.Endpoint endpoint = endpoint(owner, id);
    return new Deliveries(
        webhooks.deliveries(endpoint.id(), 100).stream()
            .map(
                d ->
                    new DeliveryView(
                        d.id().toString(),
                        d.eventId().toString(),
                        d.eventType(),
                        d.attempt(),
                        d.statusCode(),
                        d.error(),
                        d.at()))
            .toList());
  }

  /**
   * Delivers the attempt's event to this endpoint again, after the events already queued for it.
   */
  @Post("/{id}/deliveries/{deliveryId}/redeliver")
  public HttpResponse<Void> redeliver(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id, String deliveryId) {
    WebhookRepository.Endpoint endpoint = endpoint(owner, id);
    WebhookRepository.Delivery delivery =
        webhooks
            .delivery(endpoint.id(), uuid(deliveryId))
            .orElseThrow(() -> Refusal.notFound("no delivery " + deliveryId));
    WebhookRepository.Event event = webhooks.event(delivery.eventId()).orElseThrow();
    WebhookWorkflow workflow =
        temporal.newWorkflowStub(
            WebhookWorkflow.class,
            WebhookWorkflow.startOptions(event.attachmentId().toString(), taskQueue));
    BatchRequest request = temporal.newSignalWithStartRequest();
    request.add(workflow::deliverEvents, event.attachmentId().toString());
    request.add(workflow::redeliver, event.id().toString(), endpoint.id().toString());
    temporal.signalWithStart(request);
    return HttpResponse.accepted();
  }

  private WebhookRepository.Endpoint endpoint(String owner, String id) {
    return webhooks
        .endpoint(owner, uuid(id))
        .orElseThrow(() -> Refusal.notFound("no webhook endpoint " + id));
  }

  private static UUID uuid(String id) {
    return Params.id(id, "nothing with id " + id);
  }

  private static List<String> wireNames() {
    return Arrays.stream(EventType.values()).map(EventType::wireName).toList();
  }
}
