package dev.attachments.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of the keys owners and operators send as their Bearer credential, and of the entries
 * the API is configured with. A key is {@code att_<id>_<secret>}: a 12-hex-digit id that names it
 * (not secret) and 32 random bytes in base64url. The API keeps only an entry {@code
 * owner:id:sha256:created[:expires]}, the SHA-256 of the whole key in hex and two ISO dates; a key
 * stops working at the start (UTC) of its expiry day. A key is random and long enough that one
 * SHA-256 is as good as a slow password hash.
 *
 * <p>Run {@code main} to mint one: it prints the key (shown once, nowhere kept) and its entry.
 */
public final class AccessKeys {
  /** 256 bits of secret, in 43 base64url characters at least. */
  private static final Pattern SHAPE = Pattern.compile("att_([0-9a-f]{12})_[A-Za-z0-9_-]{43,128}");

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A new key and the entry that lets it in.
   *
   * @param key what the owner sends; shown once
   * @param entry what the API is configured with (ATTACHMENTS_API_KEYS or ATTACHMENTS_OPS_KEYS)
   */
  public record Minted(String owner, String id, String key, String entry) {
    @Override
    public String toString() {
      return "Minted[owner=" + owner + ", id=" + id + "]"; // never the key itself
    }
  }

  /**
   * @param expires the first day it no longer works, or null for none
   */
  public static Minted mint(String owner, LocalDate expires) {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String keyId = HexFormat.of().formatHex(id);
    String key =
        "att_" + keyId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String entry =
        owner
            + ":"
            + keyId
            + ":"
            + digestHex(key)
            + ":"
            + LocalDate.now(ZoneOffset.UTC)
            + (expires == null ? "" : ":" + expires);
    return new Minted(owner, keyId, key, entry);
  }

  public static Minted mint(String owner) {
    return mint(owner, null);
  }

  /** The key's id when it has the shape (and so the strength) of a key; empty otherwise. */
  public static Optional<String> idOf(String presented) {
    Matcher matcher = SHAPE.matcher(presented);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  public static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static String digestHex(String key) {
    return HexFormat.of().formatHex(digest(key));
  }

  /** {@code AccessKeys OWNER [EXPIRES-DATE]}: prints a new key and its entry. */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: AccessKeys OWNER [EXPIRES as YYYY-MM-DD]");
      System.exit(2);
    }
    Minted minted = mint(args[0], args.length == 2 ? LocalDate.parse(args[1]) : null);
    System.out.println("key (give it to " + args[0] + "; it is shown only now): " + minted.key());
    System.out.println("entry (add it to ATTACHMENTS_API_KEYS or _OPS_KEYS): " + minted.entry());
  }

  private AccessKeys() {}
}
