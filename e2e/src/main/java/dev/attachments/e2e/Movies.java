package dev.attachments.e2e;

import java.nio.charset.StandardCharsets;

/**
 * Random bytes that are what they are declared: they begin as a QuickTime movie does (an {@code
 * ftyp} box), so that the content type check lets them through like any honest upload, and nothing
 * compresses them.
 */
public final class Movies {
  public static final String TYPE = "video/quicktime";
  private static final byte[] FTYP =
      "\0\0\0\u0014ftypqt  \0\0\0\0qt  ".getBytes(StandardCharsets.ISO_8859_1);

  private Movies() {}

  /** Writes the movie's header over the first bytes of {@code content} and answers it. */
  public static byte[] headed(byte[] content) {
    System.arraycopy(FTYP, 0, content, 0, Math.min(FTYP.length, content.length));
    return content;
  }

  /** A file name for such bytes. */
  public static String name(String stem) {
    return stem + ".mov";
  }
}
