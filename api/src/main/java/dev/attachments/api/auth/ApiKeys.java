package dev.attachments.api.auth;

import dev.attachments.access.AccessKeys;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys that open the API, each an entry {@code owner:id:sha256:created[:expires]} (see {@link
 * AccessKeys}): an owner may have several, so that a new key works before the old one is removed.
 * Only digests are held; a presented key is looked up by its id and its digest compared in constant
 * time.
 */
public final class ApiKeys {
  /** Owner names become the first segment of object keys: keep them to safe characters. */
  private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");

  private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

  /** Compared against when the id is unknown, so that both answers take as long. */
  private static final byte[] NO_DIGEST = new byte[32];

  /**
   * @param expires the first day the key no longer works, or null
   */
  record Entry(String owner, byte[] digest, LocalDate created, LocalDate expires) {}

  private final Map<String, Entry> byId;
  private final Clock clock;

  private ApiKeys(Map<String, Entry> byId, Clock clock) {
    this.byId = byId;
    this.clock = clock;
  }

  /**
   * @param setting the variable the entries come from, to name it in errors
   * @throws IllegalArgumentException naming the entry that is wrong by its position, never by its
   *     text
   */
  public static ApiKeys parse(String setting, String spec) {
    return parse(setting, spec, Clock.systemUTC());
  }

  static ApiKeys parse(String setting, String spec, Clock clock) {
    Map<String, Entry> byId = new HashMap<>();
    String[] entries = spec.split(",");
    for (int i = 0; i < entries.length; i++) {
      String where = setting + " entry " + (i + 1) + " of " + entries.length;
      String[] fields = entries[i].trim().split(":", -1);
      if (fields.length < 4
          || fields.length > 5
          || !ID.matcher(fields[1]).matches()
          || !DIGEST.matcher(fields[2]).matches()) {
        throw new IllegalArgumentException(
            where
                + " is not owner:id:sha256:created[:expires]; keys are kept as digests: mint one"
                + " with `./run key OWNER` (or java -cp the api jar dev.attachments.access.AccessKeys"
                + " OWNER)");
      }
      if (!OWNER.matcher(fields[0]).matches()) {
        throw new IllegalArgumentException(
            where + ": an owner may hold only letters, digits, '.', '_' and '-' (1 to 64)");
      }
      Entry entry;
      try {
        entry =
            new Entry(
                fields[0],
                HexFormat.of().parseHex(fields[2]),
                LocalDate.parse(fields[3]),
                fields.length == 5 ? LocalDate.parse(fields[4]) : null);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(where + ": dates are YYYY-MM-DD", e);
      }
      if (byId.put(fields[1], entry) != null) {
        throw new IllegalArgumentException(where + " repeats key id " + fields[1]);
      }
    }
    return new ApiKeys(byId, clock);
  }

  /** The key an {@code Authorization: Bearer <key>} header carries; empty for any other header. */
  public static Optional<String> bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String key = header.substring(7).trim();
    return key.isEmpty() ? Optional.empty() : Optional.of(key);
  }

  /**
   * The owner of this key, when it has a key's shape, its id is known, its digest matches (in
   * constant time) and it has not expired.
   */
  public Optional<String> ownerOf(String presented) {
    Optional<String> id = AccessKeys.idOf(presented);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    Entry entry = byId.get(id.get());
    byte[] digest = AccessKeys.digest(presented);
    boolean matches = MessageDigest.isEqual(entry == null ? NO_DIGEST : entry.digest(), digest);
    if (!matches || entry == null) {
      return Optional.empty();
    }
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    if (entry.expires() != null && !today.isBefore(entry.expires())) {
      return Optional.empty();
    }
    return Optional.of(entry.owner());
  }
}
