package dev.attachments.api.attachments;

import dev.attachments.api.ApiSettings;
import dev.attachments.api.Refusal;
import dev.attachments.scan.ContentTypes;
import io.micronaut.context.annotation.Context;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a client may upload: a file name that shows what it is ({@link FileNames}), an allowed media
 * type (under the name we keep for it: {@code image/jpg} is image/jpeg), a size within the limit.
 */
@Context
public class UploadPolicy {
  /**
   * The most of one file ClamAV's engine ever scans (2 GiB - 1 byte): anything larger can only end
   * UNSCANNABLE.
   */
  static final long LARGEST_SCANNABLE = Integer.MAX_VALUE;

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

  private final long maxSize;
  private final List<String> allowedTypes;
  private final FileNames fileNames;

  /**
   * @throws IllegalArgumentException at start-up, for a size limit above what can be scanned while
   *     unscannable files are rejected: every such upload would be taken only to be refused
   */
  public UploadPolicy(ApiSettings.Uploads settings, ApiSettings.Processing processing) {
    if (settings.maxSize() > LARGEST_SCANNABLE
        && !processing.unscannablePolicy().trim().equalsIgnoreCase("hold")) {
      throw new IllegalArgumentException(
          "ATTACHMENTS_MAX_SIZE is "
              + settings.maxSize()
              + ", above the 2 GiB - 1 that ClamAV scans whole; such files can only be held"
              + " unscanned, so a larger limit needs ATTACHMENTS_UNSCANNABLE_POLICY=hold");
    }
    this.maxSize = settings.maxSize();
    this.allowedTypes =
        settings.allowedTypes().stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
    this.fileNames =
        new FileNames(
            settings.allowedExecutableExtensions().stream()
                .map(e -> e.trim().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
                .filter(e -> !e.isEmpty())
                .collect(java.util.stream.Collectors.toSet()));
  }

  /**
   * Checks a new attachment and answers it normalized: the media type lower-case without parameters
   * under its kept name, the file name as {@link FileNames} keeps it, the digest lower-case.
   */
  public CreateAttachment check(CreateAttachment request) {
    if (request == null) {
      throw Refusal.invalid(
          "send a JSON body with filename, contentType, size and optionally sha256");
    }
    if (request.contentType() == null || request.contentType().isBlank()) {
      throw Refusal.invalid("contentType is required, e.g. image/png");
    }
    String type = ContentTypes.normalize(request.contentType());
    if (!MEDIA_TYPE.matcher(type).matches()) {
      throw Refusal.invalid(
          "contentType '" + request.contentType() + "' is not a media type like image/png");
    }
    if (request.size() == null) {
      throw Refusal.invalid("size is required: the file's length in bytes");
    }
    if (request.size() <= 0) {
      throw Refusal.invalid("size must be at least 1 byte");
    }
    if (request.size() > maxSize) {
      throw Refusal.of(
          Refusal.Kind.TOO_LARGE,
          "too-large",
          "the file has " + request.size() + " bytes; the largest allowed is " + maxSize);
    }
    if (!isAllowed(type)) {
      throw Refusal.of(
          Refusal.Kind.UNSUPPORTED_TYPE,
          "type-not-allowed",
          "attachments of type "
              + type
              + " are not accepted; allowed: "
              + String.join(", ", allowedTypes));
    }
    String sha256 = request.sha256();
    if (sha256 != null && !SHA256_HEX.matcher(sha256).matches()) {
      throw Refusal.invalid(
          "sha256 must be the file's SHA-256 digest as 64 hexadecimal characters");
    }
    String filename = fileNames.check(request.filename(), type);
    return new CreateAttachment(
        filename, type, request.size(), sha256 == null ? null : sha256.toLowerCase(Locale.ROOT));
  }

  /**
   * Types that run or render when opened (SVG, HTML, ...) only when listed by name, never through a
   * wildcard.
   */
  private boolean isAllowed(String type) {
    return allowedTypes.stream()
        .anyMatch(
            allowed ->
                allowed.endsWith("*") && !ContentTypes.isActive(type)
                    ? type.startsWith(allowed.substring(0, allowed.length() - 1))
                    : allowed.equals(type));
  }
}
