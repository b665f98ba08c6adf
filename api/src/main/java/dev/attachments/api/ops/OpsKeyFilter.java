package dev.attachments.api.ops;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.api.auth.ApiKeys;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/** /v1/ops needs an operator's key from ATTACHMENTS_OPS_KEYS; owners' keys do not open it. */
@ServerFilter("/v1/ops/**")
public class OpsKeyFilter {
  /** Request attribute holding the operator's name, for the audit. */
  public static final String OPERATOR = "attachments.operator";

  private final ApiKeys keys;

  public OpsKeyFilter(ApiSettings.Keys keys) {
    this.keys =
        keys.ops() == null || keys.ops().isBlank()
            ? null
            : ApiKeys.parse("ATTACHMENTS_OPS_KEYS", keys.ops());
  }

  @RequestFilter
  public void authenticate(HttpRequest<?> request) {
    String operator =
        keys == null
            ? null
            : ApiKeys.bearer(request.getHeaders().getAuthorization().orElse(null))
                .flatMap(keys::ownerOf)
                .orElse(null);
    if (operator == null) {
      throw Refusal.of(
          Refusal.Kind.UNAUTHENTICATED,
          "unauthenticated",
          keys == null
              ? "operator access is off: set ATTACHMENTS_OPS_KEYS"
              : "send an operator key as 'Authorization: Bearer <key>'");
    }
    request.setAttribute(OPERATOR, operator);
  }
}
