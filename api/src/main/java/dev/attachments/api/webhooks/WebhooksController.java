package dev.attachments.api.webhooks;

import dev.attachments.api.Problem;
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
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.links.Link;
import io.swagger.v3.oas.annotations.links.LinkParameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The owner's webhook endpoints, their delivery attempts, and redelivery: one use case a call. */
@Tag(name = "webhooks")
@ApiResponse(
    responseCode = "4XX",
    description = "A client mistake, said in an RFC 9457 problem",
    content =
        @Content(
            mediaType = Problem.CONTENT_TYPE,
            schema = @Schema(implementation = Problem.class)))
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
  @Operation(
      operationId = "createWebhook",
      summary = "Register an endpoint",
      description =
          "Its secret signs every delivery and is shown only in this answer. 422 a URL refused (not"
              + " https, an internal address).")
  @ApiResponse(
      responseCode = "201",
      description = "The endpoint with its secret",
      content = @Content(schema = @Schema(implementation = WebhookViews.EndpointView.class)),
      links = {
        @Link(
            name = "deleteWebhook",
            operationId = "deleteWebhook",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id")),
        @Link(
            name = "webhookDeliveries",
            operationId = "webhookDeliveries",
            parameters = @LinkParameter(name = "id", expression = "$response.body#/id"))
      })
  public HttpResponse<WebhookViews.EndpointView> create(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner,
      @Body @Nullable WebhookViews.NewEndpoint body) {
    return HttpResponse.created(register.register(owner, body));
  }

  @Get
  @Operation(operationId = "listWebhooks", summary = "The owner's endpoints, without their secrets")
  public WebhookViews.Endpoints list(@RequestAttribute(ApiKeyFilter.OWNER) String owner) {
    return endpoints.list(owner);
  }

  @Delete("/{id}")
  @Operation(operationId = "deleteWebhook", summary = "Remove an endpoint")
  @ApiResponse(responseCode = "204", description = "Removed")
  public HttpResponse<Void> delete(@RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    endpoints.remove(owner, id);
    return HttpResponse.noContent();
  }

  @Get("/{id}/deliveries")
  @Operation(
      operationId = "webhookDeliveries",
      summary = "Every delivery attempt to the endpoint, newest first")
  public WebhookViews.Deliveries deliveries(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id) {
    return endpoints.deliveries(owner, id);
  }

  @Post("/{id}/deliveries/{deliveryId}/redeliver")
  @Operation(operationId = "redeliver", summary = "Send a delivery's event again")
  @ApiResponse(responseCode = "202", description = "The event is on its way again")
  public HttpResponse<Void> redeliver(
      @RequestAttribute(ApiKeyFilter.OWNER) String owner, String id, String deliveryId) {
    endpoints.redeliver(owner, id, deliveryId);
    return HttpResponse.accepted();
  }
}
