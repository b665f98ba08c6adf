package dev.attachments.api.tokens;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an upload token looks like: {@code attu_<id>_<secret>}, the token's id (32 hex digits, not
 * secret) and 32 random bytes in base64url. Only the SHA-256 of the whole token is stored.
 */
final class UploadTokenShape {
  private static final String PREFIX = "attu_";
  private static final Pattern SHAPE = Pattern.compile("attu_([0-9a-f]{32})_[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  static boolean claims(String presented) {
    return presented.startsWith(PREFIX);
  }

  static String mint(UUID id) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return PREFIX
        + id.toString().replace("-", "")
        + "_"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** The token's id when it has the shape of a token; empty otherwise. */
  static Optional<UUID> idOf(String presented) {
    Matcher matcher = SHAPE.matcher(presented);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String hex = matcher.group(1);
    return Optional.of(
        new UUID(
            Long.parseUnsignedLong(hex.substring(0, 16), 16),
            Long.parseUnsignedLong(hex.substring(16), 16)));
  }

  private UploadTokenShape() {}
}
