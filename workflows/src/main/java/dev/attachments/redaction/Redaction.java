package dev.attachments.redaction;

import java.util.regex.Pattern;

/**
 * Takes credentials out of texts that leave the code that held them: a presigned URL's signature
 * and credential, a session token, the password of a URL ({@code cloudinary://key:secret@cloud}),
 * an API secret, a bearer token, the key id and signature S3 quotes in its XML errors. ffmpeg,
 * Cloudinary and the SDKs quote the URLs they were given in their errors; those errors become
 * reasons, workflow histories and log lines, and none of them may carry a credential. Written forms
 * covered: {@code name=value}, URL-encoded once or twice ({@code %3D}, {@code %253D}), JSON ({@code
 * "name":"value"}, escaped or not, {@code \u003d}).
 */
public final class Redaction {
  public static final String REDACTED = "REDACTED";

  private static final String EQUALS = "(?:=|%3[dD]|%253[dD]|\\\\u003[dD])";
  private static final String VALUE = "[^&\\s\"'<>,;}\\\\]+";
  private static final String SEPARATOR =
      "((?:\\\\?\"|')?\\s*(?:" + EQUALS + "|:)\\s*(?:\\\\?\"|')?)";

  /**
   * Parameters that are credentials whether written as a query, a header or a JSON field. These
   * names are found anywhere, inside URL-encoded text too ({@code %3FX-Amz-Signature%3D}); the
   * generic ones need a word boundary.
   */
  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)(x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential"
              + "|awsaccesskeyid|aws_secret_access_key|api_secret|client_secret)"
              + SEPARATOR
              + VALUE);

  private static final Pattern GENERIC =
      Pattern.compile(
          "(?i)\\b(secret_?access_?key|secret_?key|access_token|refresh_token|session_token|password)"
              + SEPARATOR
              + VALUE);

  /**
   * Query parameters that are credentials ({@code &signature=}, Cloudinary's), not words in a
   * sentence.
   */
  private static final Pattern QUERY =
      Pattern.compile(
          "(?i)((?:[?&;]|%26|%3F|%2526)(?:signature|sig|credential)" + EQUALS + ")" + VALUE);

  /** SigV4's Authorization header: {@code Credential=AKID/..., Signature=hex}. */
  private static final Pattern SIGV4 =
      Pattern.compile("\\b(Credential|Signature)=[A-Za-z0-9/%._+-]+");

  /** S3's XML errors quote the key id and the signature it computed. */
  private static final Pattern XML =
      Pattern.compile(
          "(<(AWSAccessKeyId|SignatureProvided|StringToSign|StringToSignBytes|CanonicalRequest)>)[^<]*");

  private static final Pattern USER_PASSWORD =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s/@:\"'<>]+:[^\\s@\"'<>]+@");
  private static final Pattern USER_TOKEN =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s/@:?#\"'<>]+@");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(Bearer\\s+)[^\\s\"',;]+");

  /** The API's own keys (att_) and upload tokens (attu_), wherever they are quoted. */
  private static final Pattern ACCESS_KEY =
      Pattern.compile("\\b(attu?_)[0-9a-f]{12,32}_[A-Za-z0-9_-]{43,}");

  private Redaction() {}

  /** The text with every credential it quotes replaced by {@value #REDACTED}; null stays null. */
  public static String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String scrubbed = NAMED.matcher(text).replaceAll("$1$2" + REDACTED);
    scrubbed = GENERIC.matcher(scrubbed).replaceAll("$1$2" + REDACTED);
    scrubbed = QUERY.matcher(scrubbed).replaceAll("$1" + REDACTED);
    scrubbed = SIGV4.matcher(scrubbed).replaceAll("$1=" + REDACTED);
    scrubbed = XML.matcher(scrubbed).replaceAll("$1" + REDACTED);
    scrubbed = USER_PASSWORD.matcher(scrubbed).replaceAll("$1" + REDACTED + "@");
    scrubbed = USER_TOKEN.matcher(scrubbed).replaceAll("$1" + REDACTED + "@");
    scrubbed = ACCESS_KEY.matcher(scrubbed).replaceAll("$1" + REDACTED);
    return BEARER.matcher(scrubbed).replaceAll("$1" + REDACTED);
  }
}
