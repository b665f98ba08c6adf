package dev.attachments.api.auth;

import dev.attachments.api.Refusal;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Every /v1 call needs {@code Authorization: Bearer <api key>}; the key's owner rides on the
 * request. Hooks that outside services call (/v1/hooks/...) authenticate by their own signatures
 * instead.
 */
@ServerFilter("/v1/**")
public class ApiKeyFilter {
  /** Request attribute holding the authenticated owner. */
  public static final String OWNER = "attachments.owner";

  private final ApiKeys keys;

  public ApiKeyFilter(ApiKeys keys) {
    this.keys = keys;
  }

  @RequestFilter
  public void authenticate(HttpRequest<?> request) {
    if (request.getPath().startsWith("/v1/hooks/") || request.getPath().startsWith("/v1/ops/")) {
      return; // hooks carry their own signatures; operators their own keys (OpsKeyFilter)
    }
    String key =
        ApiKeys.bearer(request.getHeaders().getAuthorization().orElse(null))
            .orElseThrow(
                () ->
                    Refusal.of(
                        Refusal.Kind.UNAUTHENTICATED,
                        "unauthenticated",
                        "send your API key as 'Authorization: Bearer <key>'"));
    String owner =
        keys.ownerOf(key)
            .orElseThrow(
                () ->
                    Refusal.of(
                        Refusal.Kind.UNAUTHENTICATED,
                        "unauthenticated",
                        "the API key is not valid: unknown, removed or expired"));
    request.setAttribute(OWNER, owner);
  }
}
