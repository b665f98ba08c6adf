package dev.attachments.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** API keys and the owner each belongs to, from {@code owner:key,owner:key}. */
public final class ApiKeys {
  /** Owner names become the first segment of object keys: keep them to safe characters. */
  private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Map<String, byte[]> keyByOwner;

  private ApiKeys(Map<String, byte[]> keyByOwner) {
    this.keyByOwner = keyByOwner;
  }

  /**
   * @throws IllegalArgumentException naming the entry that is not {@code owner:key} by its
   *     position, never by its text: a bare key there would land in the log
   */
  public static ApiKeys parse(String spec) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    String[] entries = spec.split(",");
    for (int i = 0; i < entries.length; i++) {
      String trimmed = entries[i].trim();
      int colon = trimmed.indexOf(':');
      if (colon <= 0 || colon == trimmed.length() - 1) {
        throw new IllegalArgumentException(
            "ATTACHMENTS_API_KEYS entry "
                + (i + 1)
                + " of "
                + entries.length
                + " is not owner:key");
      }
      String owner = trimmed.substring(0, colon);
      if (!OWNER.matcher(owner).matches()) {
        throw new IllegalArgumentException(
            "owner '"
                + owner
                + "' in ATTACHMENTS_API_KEYS may hold only letters, digits, '.', '_' and '-'");
      }
      keys.put(owner, trimmed.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    }
    return new ApiKeys(keys);
  }

  /** The key an {@code Authorization: Bearer <key>} header carries; empty for any other header. */
  public static Optional<String> bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String key = header.substring(7).trim();
    return key.isEmpty() ? Optional.empty() : Optional.of(key);
  }

  /** The owner of this key; compares against every key in constant time. */
  public Optional<String> ownerOf(String presented) {
    byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
    String owner = null;
    for (Map.Entry<String, byte[]> entry : keyByOwner.entrySet()) {
      if (MessageDigest.isEqual(entry.getValue(), candidate)) {
        owner = entry.getKey();
      }
    }
    return Optional.ofNullable(owner);
  }
}
