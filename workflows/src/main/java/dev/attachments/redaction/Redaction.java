package dev.attachments.redaction;

import java.util.regex.Pattern;

/**
 * Takes credentials out of texts that leave the code that held them: a presigned URL's signature and
 * credential, a session token, the password of a URL ({@code cloudinary://key:secret@cloud}), an API secret,
 * a bearer token. ffmpeg, Cloudinary and the SDKs quote the URLs they were given in their errors; those errors
 * become reasons, workflow histories and log lines, and none of them may carry a credential.
 */
public final class Redaction {
  public static final String REDACTED = "REDACTED";

  /** Parameters that are credentials whether written {@code name=value} or {@code "name": "value"}. */
  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)\\b(x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential"
              + "|awsaccesskeyid|api_secret|client_secret|password)(\"?\\s*[=:]\\s*\"?)[^&\\s\"'<>,;}]+");
  /** Parameters that are credentials in a query or a SigV4 Authorization header, not as JSON fields. */
  private static final Pattern QUERY = Pattern.compile("(?i)\\b(signature|credential|sig)=[^&\\s\"'<>,;}]+");
  private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@\"'<>]+@");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(Bearer\\s+)[A-Za-z0-9._~+/=-]+");

  private Redaction() {}

  /** The text with every credential it quotes replaced by {@value #REDACTED}; null stays null. */
  public static String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String scrubbed = NAMED.matcher(text).replaceAll("$1$2" + REDACTED);
    scrubbed = QUERY.matcher(scrubbed).replaceAll("$1=" + REDACTED);
    scrubbed = USER_INFO.matcher(scrubbed).replaceAll("$1" + REDACTED + "@");
    return BEARER.matcher(scrubbed).replaceAll("$1" + REDACTED);
  }
}
