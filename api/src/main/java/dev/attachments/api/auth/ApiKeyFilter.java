package dev.attachments.api.auth;

import dev.attachments.api.Refusal;
import dev.attachments.api.tokens.UploadTokenScope;
import dev.attachments.metadata.UploadTokens;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * Every /v1 call needs {@code Authorization: Bearer <api key>}, or an upload token for the few
 * calls it may make; the owner rides on the request (and the token, when there is one). Hooks that
 * outside services call (/v1/hooks/...) authenticate by their own signatures instead.
 */
@ServerFilter("/v1/**")
public class ApiKeyFilter {
  /** Request attribute holding the authenticated owner. */
  public static final String OWNER = "attachments.owner";

  private final ApiKeys keys;
  private final UploadTokenScope uploadTokens;

  public ApiKeyFilter(ApiKeys keys, UploadTokenScope uploadTokens) {
    this.keys = keys;
    this.uploadTokens = uploadTokens;
  }

  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
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
                        "send your API key or upload token as 'Authorization: Bearer <key>'"));
    if (UploadTokenScope.claimed(key)) {
      // an upload token is looked up in PostgreSQL, and may do only what UploadTokenScope allows
      UploadTokens.UploadToken token = uploadTokens.authenticate(key);
      uploadTokens.check(request, token);
      request.setAttribute(OWNER, token.owner());
      request.setAttribute(UploadTokenScope.TOKEN, token);
      return;
    }
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
