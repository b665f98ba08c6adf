package dev.attachments.api.webhooks;

import dev.attachments.api.auth.ApiKeyFilter;
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

/** The owner's webhook endpoints, their delivery attempts, and redelivery: one use case a call. */
@Controller("/v1/webhooks")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WebhooksController {
  private final RegisterEndpoint register;
  private final OwnedEndpoints endpoints;

  public WebhooksController(RegisterEndpoint register, OwnedEndpoints endpoints) {
    this.register = register;
    this.endpoints = endpoints;
  }

  @Post
  public HttpResponse<WebhookViews.EndpointView> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @Body @Nullable WebhookViews.NewEndpoint body) {
    return HttpResponse.created(register.register(owner, body));
  }

  @Get
  public WebhookViews.Endpoints list(@RequestAttribute(ApiKeyFilter.OWNER) String owner) {
    return endpoints.list(owner);
  }

  @Delete("/{id}")
  public HttpResponse<Void> delete(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    endpoints.remove(owner, id);
    return HttpResponse.noContent();
  }

  @Get("/{id}/deliveries")
  public WebhookViews.Deliveries deliveries(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return endpoints.deliveries(owner, id);
  }

  @Post("/{id}/deliveries/{deliveryId}/redeliver")
  public HttpResponse<Void> redeliver(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id, String deliveryId) {
    endpoints.redeliver(owner, id, deliveryId);
    return HttpResponse.accepted();
  }
}
