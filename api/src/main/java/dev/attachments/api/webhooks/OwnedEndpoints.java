package dev.attachments.api.webhooks;

import dev.attachments.api.Params;
import dev.attachments.api.Refusal;
import dev.attachments.api.limits.RequestRates;
import dev.attachments.api.temporal.WebhookWorkflows;
import dev.attachments.metadata.WebhookRepository;
import jakarta.inject.Singleton;
import java.util.UUID;

/**
 * Use cases on an owner's registered endpoints: list them, remove one, read its delivery attempts,
 * deliver an attempt's event again.
 */
@Singleton
public class OwnedEndpoints {
  static final int DELIVERIES_SHOWN = 100;

  private final WebhookRepository webhooks;
  private final WebhookWorkflows workflows;
  private final RequestRates rates;

  public OwnedEndpoints(
      WebhookRepository webhooks, WebhookWorkflows workflows, RequestRates rates) {
    this.rates = rates;
    this.webhooks = webhooks;
    this.workflows = workflows;
  }

  public WebhookViews.Endpoints list(String owner) {
    return new WebhookViews.Endpoints(
        webhooks.endpoints(owner).stream()
            .map(e -> WebhookViews.EndpointView.of(e, false))
            .toList());
  }

  public void remove(String owner, String id) {
    if (!webhooks.deleteEndpoint(owner, uuid(id))) {
      throw Refusal.notFound("no webhook endpoint " + id);
    }
  }

  public WebhookViews.Deliveries deliveries(String owner, String id) {
    WebhookRepository.Endpoint endpoint = endpoint(owner, id);
    return new WebhookViews.Deliveries(
        webhooks.deliveries(endpoint.id(), DELIVERIES_SHOWN).stream()
            .map(WebhookViews.DeliveryView::of)
            .toList());
  }

  /** The attempt's event goes to this endpoint again, after the events already queued for it. */
  public void redeliver(String owner, String id, String deliveryId) {
    rates.charge(owner, RequestRates.Kind.REDELIVERY);
    WebhookRepository.Endpoint endpoint = endpoint(owner, id);
    WebhookRepository.Delivery delivery =
        webhooks
            .delivery(endpoint.id(), uuid(deliveryId))
            .orElseThrow(() -> Refusal.notFound("no delivery " + deliveryId));
    WebhookRepository.Event event = webhooks.event(delivery.eventId()).orElseThrow();
    workflows.redeliver(
        event.attachmentId().toString(), event.id().toString(), endpoint.id().toString());
  }

  private WebhookRepository.Endpoint endpoint(String owner, String id) {
    return webhooks
        .endpoint(owner, uuid(id))
        .orElseThrow(() -> Refusal.notFound("no webhook endpoint " + id));
  }

  private static UUID uuid(String id) {
    return Params.id(id, "nothing with id " + id);
  }
}
