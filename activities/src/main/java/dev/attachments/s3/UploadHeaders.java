package dev.attachments.s3;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * What an uploader may set on its PUT beyond what the URL signs: S3 stores standard headers it was
 * not asked for (a {@code Content-Encoding: br} would make browsers decode bytes the scanner never
 * saw) and, on some servers, user metadata. None of it is wanted; an upload that carries any is
 * refused, not cleaned.
 */
final class UploadHeaders {
  private static final int SHOWN = 80;

  private UploadHeaders() {}

  /**
   * The headers the upload carries that nobody asked for, in words, or null when there are none.
   */
  static String unexpected(HeadObjectResponse upload, String declaredContentType) {
    List<String> found = new ArrayList<>();
    if (upload.contentType() == null
        || !upload.contentType().trim().equalsIgnoreCase(declaredContentType)) {
      found.add(
          "Content-Type: "
              + shown(upload.contentType())
              + " (declared "
              + declaredContentType
              + ")");
    }
    add(found, "Content-Encoding", upload.contentEncoding());
    add(found, "Content-Disposition", upload.contentDisposition());
    add(found, "Content-Language", upload.contentLanguage());
    if (!isRevalidation(upload.cacheControl())) {
      add(found, "Cache-Control", upload.cacheControl());
    }
    add(found, "Expires", upload.expiresString());
    add(found, "x-amz-website-redirect-location", upload.websiteRedirectLocation());
    upload.metadata().forEach((name, value) -> add(found, "x-amz-meta-" + name, value));
    if (found.isEmpty()) {
      return null;
    }
    return "the upload carries "
        + String.join(", ", found)
        + ", which its URL did not ask for; upload it again with exactly the headers the API answered";
  }

  /**
   * Chromium sends {@code Cache-Control: max-age=0} on its own with an upload from a page it
   * revalidates (seen in BrowserEndToEndTest), and other clients {@code no-cache}: such values only
   * make a cache ask again, so they are taken; any other directive (public, a long max-age) is not.
   */
  static boolean isRevalidation(String cacheControl) {
    if (cacheControl == null || cacheControl.isBlank()) {
      return true;
    }
    for (String directive : cacheControl.split(",")) {
      String d = directive.trim().toLowerCase(java.util.Locale.ROOT);
      if (!d.equals("max-age=0") && !d.equals("no-cache")) {
        return false;
      }
    }
    return true;
  }

  private static void add(List<String> found, String header, String value) {
    if (value != null && !value.isBlank()) {
      found.add(shown(header) + ": " + shown(value));
    }
  }

  /** A client-chosen text as a reason may show it: printable, and short. */
  private static String shown(String text) {
    if (text == null) {
      return "none";
    }
    String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() <= SHOWN ? printable : printable.substring(0, SHOWN) + "…";
  }
}
