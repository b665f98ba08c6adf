package dev.attachments.api.upload;

import dev.attachments.api.Problems;
import dev.attachments.scan.ContentTypes;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.tika.mime.MimeType;
import org.apache.tika.mime.MimeTypeException;
import org.apache.tika.mime.MimeTypes;

/**
 * What a file is called when it is downloaded: what the client sent, NFC-normalized, without characters that
 * make a name show other than it is (controls, format and bidirectional characters, line and paragraph
 * separators, lone surrogates), at most {@value #MAX_BYTES} bytes of UTF-8, never ending in an executable's
 * extension (unless an operator allows it), and ending in an extension of the declared type: one is appended
 * when it does not. The extensions of each type are Tika's.
 */
final class FileNames {
  static final int MAX_BYTES = 255;
  /** Extensions that run when opened (on Windows, macOS, Linux, in a browser), refused unless allowed. */
  static final Set<String> EXECUTABLE =
      Set.of(
          "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "mst", "dll", "cpl", "sys", "drv", "ocx", "ps1",
          "psm1", "psd1", "vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "wsc", "hta", "lnk", "url", "reg", "inf",
          "scf", "chm", "gadget", "application", "appref-ms", "jar", "jnlp", "app", "command", "tool", "sh", "bash",
          "zsh", "csh", "ksh", "run", "elf", "so", "dylib", "dmg", "pkg", "mpkg", "deb", "rpm", "apk", "xap",
          "appimage", "desktop", "html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "xht", "php",
          "py", "pyw", "pl", "rb", "iso", "img", "vhd", "vhdx", "docm", "xlsm", "pptm", "xlam", "ppam");

  private final Set<String> allowedExecutables;
  private final MimeTypes tika = MimeTypes.getDefaultMimeTypes();

  /** @param allowedExecutables executable extensions an operator allows, lower-case without the dot */
  FileNames(Set<String> allowedExecutables) {
    this.allowedExecutables = allowedExecutables;
  }

  /**
   * The name to keep for a file of the declared type.
   *
   * @throws dev.attachments.api.ProblemException 400 naming what is wrong
   */
  String check(String filename, String contentType) {
    if (filename == null || filename.isBlank()) {
      throw Problems.invalid("filename is required");
    }
    String name = Normalizer.normalize(filename.strip(), Normalizer.Form.NFC);
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      String why = hiddenCharacter(c);
      if (why != null) {
        throw Problems.invalid(
            String.format(
                "filename has %s at character %d: U+%04X %s; such characters make a name show other than it is",
                why, name.codePointCount(0, i) + 1, c, nameOf(c)));
      }
      i += Character.charCount(c);
    }
    if (name.contains("/") || name.contains("\\")) {
      throw Problems.invalid("filename must be a plain file name, without path separators");
    }
    if (name.equals(".") || name.equals("..") || name.endsWith(".")) {
      throw Problems.invalid("filename must not end in a dot (Windows drops it, and the extension before it shows)");
    }
    String extension = extension(name);
    if (EXECUTABLE.contains(extension) && !allowedExecutables.contains(extension)) {
      throw Problems.invalid(
          "filename ends in ." + extension + ", which runs when opened; an operator may allow it"
              + " (ATTACHMENTS_ALLOWED_EXECUTABLE_EXTENSIONS)");
    }
    String kept = withExtensionOf(name, extension, ContentTypes.normalize(contentType));
    int bytes = kept.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw Problems.invalid("filename is " + bytes + " bytes of UTF-8 (with its extension); at most " + MAX_BYTES);
    }
    return kept;
  }

  /** What makes this character hide itself or the text around it, or null when it does not. */
  private static String hiddenCharacter(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL -> "a control character";
      case Character.FORMAT -> "a format character (bidirectional overrides, zero-width joiners and the like)";
      case Character.LINE_SEPARATOR -> "a line separator";
      case Character.PARAGRAPH_SEPARATOR -> "a paragraph separator";
      case Character.SURROGATE -> "a lone surrogate";
      default -> null;
    };
  }

  private static String nameOf(int c) {
    String name = Character.getName(c);
    return name == null ? "(unnamed)" : name;
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** The name when its extension belongs to the type; else the name with the type's first extension appended. */
  private String withExtensionOf(String name, String extension, String type) {
    List<String> extensions = extensionsOf(type);
    if (extensions.isEmpty() || extensions.contains("." + extension) || isTextLike(type, extension)) {
      return name;
    }
    return name + extensions.get(0);
  }

  private List<String> extensionsOf(String type) {
    try {
      return tika.forName(type).getExtensions();
    } catch (MimeTypeException unknown) {
      return List.of();
    }
  }

  /** Text comes in many names (notes.log, data.tsv, README.rst): any inert text extension will do for text. */
  private boolean isTextLike(String type, String extension) {
    if (!type.startsWith("text/") || extension.isEmpty()) {
      return false;
    }
    MimeType named = tika.getMimeType("x." + extension);
    String namedType = named.getType().toString();
    return (namedType.startsWith("text/") || tika.getMediaTypeRegistry().isSpecializationOf(named.getType(),
            org.apache.tika.mime.MediaType.TEXT_PLAIN))
        && !ContentTypes.isActive(namedType);
  }
}
