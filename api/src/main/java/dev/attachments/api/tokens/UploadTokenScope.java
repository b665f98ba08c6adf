package dev.attachments.api.tokens;

import dev.attachments.api.Refusal;
import dev.attachments.metadata.Attachments;
import dev.attachments.metadata.UploadTokens;
import dev.attachments.metadata.UploadTokens.UploadToken;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an upload token lets its holder do: create uploads within its limits, then, for those
 * uploads only, get their part and upload URLs, list their stored parts, complete them and read
 * them. Any other call is 403; another attachment of the owner is 404, as another owner's is.
 */
@Singleton
public class UploadTokenScope {
  /** Request attribute holding the upload token a request came with, when it did. */
  public static final String TOKEN = "attachments.upload-token";

  private static final Pattern ONE_ATTACHMENT =
      Pattern.compile("/v1/attachments/([^/]+)(/parts|/upload|/complete)?");

  private final UploadTokens tokens;
  private final Attachments attachments;

  public UploadTokenScope(UploadTokens tokens, Attachments attachments) {
    this.tokens = tokens;
    this.attachments = attachments;
  }

  /** Whether the Bearer credential claims to be an upload token (rather than an API key). */
  public static boolean claimed(String presented) {
    return UploadTokenShape.claims(presented);
  }

  /**
   * The token presented, when it is one this service minted and has not expired.
   *
   * @throws Refusal 401 otherwise
   */
  public UploadToken authenticate(String presented) {
    Optional<UploadTokens.Stored> stored = UploadTokenShape.idOf(presented).flatMap(tokens::find);
    if (stored.isEmpty()
        || !MessageDigest.isEqual(
            stored.get().digest(), dev.attachments.access.AccessKeys.digest(presented))) {
      throw Refusal.of(
          Refusal.Kind.UNAUTHENTICATED, "unauthenticated", "the upload token is not valid");
    }
    UploadToken token = stored.get().token();
    if (!token.expiresAt().isAfter(Instant.now())) {
      throw Refusal.of(
          Refusal.Kind.UNAUTHENTICATED,
          "token-expired",
          "the upload token expired at " + token.expiresAt() + ": ask your backend for another");
    }
    return token;
  }

  /**
   * @throws Refusal 403 for a call a token may not make, 404 for an attachment it did not create
   */
  public void check(HttpRequest<?> request, UploadToken token) {
    String path = request.getPath();
    HttpMethod method = request.getMethod();
    if (method == HttpMethod.POST && path.equals("/v1/attachments")) {
      return;
    }
    Matcher one = ONE_ATTACHMENT.matcher(path);
    if (one.matches() && allowedOnOne(method, one.group(2))) {
      UUID id;
      try {
        id = UUID.fromString(one.group(1));
      } catch (IllegalArgumentException e) {
        throw Refusal.notFound("no attachment " + one.group(1));
      }
      if (!attachments.createdWith(token.owner(), id, token.id())) {
        throw Refusal.notFound("no attachment " + id + " made with this upload token");
      }
      return;
    }
    throw Refusal.of(
        Refusal.Kind.FORBIDDEN,
        "token-not-allowed",
        "an upload token may create uploads and follow them (parts, upload, complete, status),"
            + " nothing else: call this with an API key");
  }

  private static boolean allowedOnOne(HttpMethod method, String action) {
    return method == HttpMethod.GET
        ? action == null || action.equals("/parts")
        : method == HttpMethod.POST && action != null;
  }

  /**
   * @throws Refusal 413 or 415 when the token does not allow a file of this size or type
   */
  public static void allowsUpload(UploadToken token, long size, String type) {
    if (size > token.maxSize()) {
      throw Refusal.of(
          Refusal.Kind.TOO_LARGE,
          "too-large",
          "the upload token allows files of at most " + token.maxSize() + " bytes");
    }
    if (!allows(token.types(), type)) {
      throw Refusal.of(
          Refusal.Kind.UNSUPPORTED_TYPE,
          "type-not-allowed",
          "the upload token allows " + String.join(", ", token.types()) + ", not " + type);
    }
  }

  /** Whether a token limited to {@code types} (empty: any) lets an upload declare {@code type}. */
  static boolean allows(List<String> types, String type) {
    return types.isEmpty()
        || types.stream()
            .anyMatch(
                allowed ->
                    allowed.endsWith("/*")
                        ? type.startsWith(allowed.substring(0, allowed.length() - 1))
                        : allowed.equals(type));
  }
}
