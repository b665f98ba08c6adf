package dev.attachments.api.tokens;

import dev.attachments.access.AccessKeys;
import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.api.limits.RequestRates;
import dev.attachments.metadata.UploadTokens;
import dev.attachments.metadata.UploadTokens.UploadToken;
import dev.attachments.scan.ContentTypes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Use case: an owner's backend, with its API key, mints a short-lived token for a browser or phone
 * that allows a few uploads within a size and type limit, and nothing else.
 */
@Singleton
public class MintUploadToken {
  static final int MAX_UPLOADS = 100;
  static final int MAX_TYPES = 20;
  static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
  static final Duration LONGEST_TTL = Duration.ofDays(1);
  static final Duration SHORTEST_TTL = Duration.ofMinutes(1);
  private static final Pattern TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/([a-z0-9][a-z0-9!#$&^_.+-]{0,126}|\\*)");

  private final UploadTokens tokens;
  private final ApiSettings.Uploads settings;
  private final RequestRates rates;

  public MintUploadToken(UploadTokens tokens, ApiSettings.Uploads settings, RequestRates rates) {
    this.tokens = tokens;
    this.settings = settings;
    this.rates = rates;
  }

  public UploadTokenViews.MintedToken mint(String owner, UploadTokenViews.NewUploadToken body) {
    rates.charge(owner, RequestRates.Kind.UPLOAD_TOKEN);
    UploadTokenViews.NewUploadToken request =
        body == null ? new UploadTokenViews.NewUploadToken(null, null, null, null) : body;
    int maxUploads = request.maxUploads() == null ? 1 : request.maxUploads();
    if (maxUploads < 1 || maxUploads > MAX_UPLOADS) {
      throw Refusal.invalid("maxUploads must be 1 to " + MAX_UPLOADS);
    }
    long maxSize = request.maxSize() == null ? settings.maxSize() : request.maxSize();
    if (maxSize < 1 || maxSize > settings.maxSize()) {
      throw Refusal.invalid("maxSize must be 1 to " + settings.maxSize() + " bytes");
    }
    List<String> types = request.types() == null ? List.of() : types(request.types());
    Duration ttl = request.ttl() == null ? DEFAULT_TTL : Duration.ofSeconds(request.ttl());
    if (ttl.compareTo(SHORTEST_TTL) < 0 || ttl.compareTo(LONGEST_TTL) > 0) {
      throw Refusal.invalid(
          "ttl must be "
              + SHORTEST_TTL.toSeconds()
              + " to "
              + LONGEST_TTL.toSeconds()
              + " seconds");
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID id = UUID.randomUUID();
    String token = UploadTokenShape.mint(id);
    UploadToken limits = new UploadToken(id, owner, maxUploads, maxSize, types, 0, now.plus(ttl));
    tokens.insert(limits, AccessKeys.digest(token), now);
    return new UploadTokenViews.MintedToken(token, limits.expiresAt(), maxUploads, maxSize, types);
  }

  private static List<String> types(List<String> given) {
    if (given.size() > MAX_TYPES) {
      throw Refusal.invalid("types lists at most " + MAX_TYPES + " media types");
    }
    return given.stream()
        .map(
            type -> {
              String normal = type == null ? "" : ContentTypes.normalize(type);
              if (!TYPE.matcher(normal).matches()) {
                throw Refusal.invalid(
                    "types must be media types like image/png or wildcards like image/*, not '"
                        + type
                        + "'");
              }
              return normal;
            })
        .distinct()
        .toList();
  }
}
