package dev.attachments.api.webhooks;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.api.limits.RequestRates;
import dev.attachments.metadata.WebhookRepository;
import dev.attachments.webhook.EventType;
import dev.attachments.webhook.WebhookTargets;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * Use case: an owner registers an endpoint for some events. The URL must be one the deliveries may
 * reach; the secret that signs them is made here and shown once.
 */
@Singleton
public class RegisterEndpoint {
  static final int MAX_ENDPOINTS = 20;

  private final WebhookRepository webhooks;
  private final WebhookTargets targets;
  private final SecureRandom random = new SecureRandom();

  private final RequestRates rates;

  public RegisterEndpoint(
      WebhookRepository webhooks, ApiSettings.Webhooks settings, RequestRates rates) {
    this.webhooks = webhooks;
    this.rates = rates;
    this.targets = new WebhookTargets(settings.allowHttp());
  }

  public WebhookViews.EndpointView register(String owner, WebhookViews.NewEndpoint body) {
    rates.charge(owner, RequestRates.Kind.WEBHOOK_REGISTRATION);
    if (body == null || body.url() == null || body.url().isBlank()) {
      throw Refusal.invalid(
          "send {\"url\":\"https://...\",\"events\":[\"attachment.released\",...]}");
    }
    if (webhooks.endpoints(owner).size() >= MAX_ENDPOINTS) {
      throw Refusal.conflict(
          "too-many-webhooks", "an owner has at most " + MAX_ENDPOINTS + " endpoints");
    }
    try {
      targets.check(body.url()); // resolves the host: after the cheap checks
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
    return WebhookViews.EndpointView.of(endpoint, true);
  }

  private static List<String> wireNames() {
    return Arrays.stream(EventType.values()).map(EventType::wireName).toList();
  }
}
