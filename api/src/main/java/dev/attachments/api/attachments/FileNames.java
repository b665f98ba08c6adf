package dev.attachments.api.attachments;

import dev.attachments.api.Refusal;
import dev.attachments.scan.ContentTypes;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.tika.mime.MimeType;
import org.apache.tika.mime.MimeTypes;

/**
 * What a file is called when it is downloaded: what the client sent, NFC-normalized, without
 * characters that make a name show other than it is (controls, format and bidirectional characters,
 * line and paragraph separators, lone surrogates, spaces other than U+0020, invisible fillers, dots
 * that are not '.'), without what Windows refuses or reads otherwise ({@code <>:"|?*}, device names
 * such as {@code CON}), at most {@value #MAX_BYTES} bytes of UTF-8, never ending in an extension of
 * a file that runs when opened (unless an operator allows it), and ending in an extension of the
 * declared type: one is appended when it does not. The extensions of each type are Tika's, with a
 * few it lacks; a type with none known is refused, so that every kept name ends in an extension its
 * type owns.
 */
final class FileNames {
  static final int MAX_BYTES = 255;

  /** Extensions of files that run, install, mount or render when opened: refused unless allowed. */
  static final Set<String> EXECUTABLE =
      Set.of(
          "exe",
          "com",
          "scr",
          "pif",
          "bat",
          "cmd",
          "msi",
          "msp",
          "mst",
          "dll",
          "cpl",
          "sys",
          "drv",
          "ocx",
          "ps1",
          "psm1",
          "psd1",
          "vbs",
          "vbe",
          "js",
          "jse",
          "mjs",
          "cjs",
          "wsf",
          "wsh",
          "wsc",
          "hta",
          "lnk",
          "url",
          "reg",
          "inf",
          "scf",
          "chm",
          "gadget",
          "application",
          "appref-ms",
          "jar",
          "jnlp",
          "app",
          "command",
          "tool",
          "sh",
          "bash",
          "zsh",
          "csh",
          "ksh",
          "run",
          "elf",
          "so",
          "dylib",
          "dmg",
          "pkg",
          "mpkg",
          "deb",
          "rpm",
          "apk",
          "xap",
          "appimage",
          "desktop",
          "html",
          "htm",
          "xhtml",
          "shtml",
          "mht",
          "mhtml",
          "svg",
          "svgz",
          "xht",
          "xml",
          "xsl",
          "xslt",
          "htc",
          "php",
          "py",
          "pyw",
          "pyz",
          "pyzw",
          "pl",
          "rb",
          "iso",
          "img",
          "vhd",
          "vhdx",
          "vsix",
          "docm",
          "dotm",
          "xlsm",
          "xltm",
          "xlam",
          "xla",
          "xlm",
          "xll",
          "xlsb",
          "pptm",
          "potm",
          "ppsm",
          "sldm",
          "ppam",
          "library-ms",
          "searchconnector-ms",
          "settingcontent-ms",
          "rdp",
          "iqy",
          "slk",
          "website",
          "terminal",
          "webloc",
          "inetloc",
          "fileloc");

  /** Extensions Tika does not list for types this project allows by default. */
  private static final Map<String, List<String>> MORE_EXTENSIONS =
      Map.of(
          "text/markdown", List.of(".md", ".markdown"),
          "application/vnd.rar", List.of(".rar"),
          "audio/webm", List.of(".weba", ".webm"));

  /** Names of inert text: a text file may carry any of these whatever its declared text type. */
  private static final Set<String> TEXT_EXTENSIONS =
      Set.of("txt", "text", "log", "md", "markdown", "csv", "tsv", "rst", "asc");

  /**
   * Characters Windows refuses in names, or reads as something else (':' opens an alternate
   * stream).
   */
  private static final String WINDOWS_FORBIDDEN = "<>:\"|?*";

  private static final Pattern DEVICE_NAME =
      Pattern.compile("(?i)(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\\..*)?");

  /** Invisible fillers and dots that are not '.': they make a name read as another. */
  private static final Set<Integer> LOOKALIKES =
      Set.of(
          0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x2024, 0xFF0E, 0x3002, 0xFE52, 0x0701,
          0x0702, 0x2E33, 0xA4F8);

  private final Set<String> allowedExecutables;
  private final MimeTypes tika = MimeTypes.getDefaultMimeTypes();

  /**
   * @param allowedExecutables executable extensions an operator allows, lower-case without the dot
   */
  FileNames(Set<String> allowedExecutables) {
    this.allowedExecutables = allowedExecutables;
  }

  /**
   * The name to keep for a file of the declared type.
   *
   * @throws dev.attachments.api.Refusal 400 naming what is wrong
   */
  String check(String filename, String contentType) {
    if (filename == null || filename.isBlank()) {
      throw Refusal.invalid("filename is required");
    }
    String name = Normalizer.normalize(filename.strip(), Normalizer.Form.NFC);
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      String why = hiddenCharacter(c);
      if (why != null) {
        throw Refusal.invalid(
            String.format(
                "filename has %s at character %d: U+%04X %s; such characters make a name show other than it is",
                why, name.codePointCount(0, i) + 1, c, nameOf(c)));
      }
      i += Character.charCount(c);
    }
    if (name.contains("/") || name.contains("\\")) {
      throw Refusal.invalid("filename must be a plain file name, without path separators");
    }
    for (char c : WINDOWS_FORBIDDEN.toCharArray()) {
      if (name.indexOf(c) >= 0) {
        throw Refusal.invalid(
            "filename must not hold '" + c + "': Windows refuses it or reads it otherwise");
      }
    }
    if (name.endsWith(".")) {
      throw Refusal.invalid(
          "filename must not end in a dot (Windows drops it, and the extension before it shows)");
    }
    if (DEVICE_NAME.matcher(name).matches()) {
      throw Refusal.invalid("filename '" + name + "' is a Windows device name");
    }
    String type = ContentTypes.normalize(contentType);
    List<String> extensions = extensionsOf(type);
    if (extensions.isEmpty()) {
      throw Refusal.invalid(
          "no file extension is known for " + type + ": declare the file's registered media type");
    }
    // the name as sent and as kept: report.exe is refused, not kept as report.exe.pdf
    refuseExecutable(extension(name));
    String kept = belongs(extension(name), type, extensions) ? name : name + extensions.get(0);
    refuseExecutable(extension(kept));
    int bytes = kept.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw Refusal.invalid(
          "filename is " + bytes + " bytes of UTF-8 (with its extension); at most " + MAX_BYTES);
    }
    return kept;
  }

  private void refuseExecutable(String extension) {
    if (EXECUTABLE.contains(extension) && !allowedExecutables.contains(extension)) {
      throw Refusal.invalid(
          "filename ends in ."
              + extension
              + ", which runs when opened; an operator may allow it"
              + " (ATTACHMENTS_ALLOWED_EXECUTABLE_EXTENSIONS)");
    }
  }

  /** What makes this character hide itself or the text around it, or null when it does not. */
  private static String hiddenCharacter(int c) {
    if (LOOKALIKES.contains(c) || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF)) {
      return "an invisible character or a dot that is not '.'";
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL -> "a control character";
      case Character.FORMAT ->
          "a format character (bidirectional overrides, zero-width joiners and the like)";
      case Character.LINE_SEPARATOR -> "a line separator";
      case Character.PARAGRAPH_SEPARATOR -> "a paragraph separator";
      case Character.SURROGATE -> "a lone surrogate";
      case Character.SPACE_SEPARATOR -> c == ' ' ? null : "a space other than U+0020";
      default -> null;
    };
  }

  private static String nameOf(int c) {
    String name = Character.getName(c);
    return name == null ? "(unnamed)" : name;
  }

  /**
   * After the last dot, lower-case; a name that starts with its only dot ({@code .hta}) is all
   * extension.
   */
  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static boolean belongs(String extension, String type, List<String> extensions) {
    return !extension.isEmpty()
        && (extensions.contains("." + extension)
            || (type.startsWith("text/") && TEXT_EXTENSIONS.contains(extension)));
  }

  /**
   * Without adding the type to Tika's registry, as {@code forName} would for every unknown name it
   * is asked.
   */
  private List<String> extensionsOf(String type) {
    List<String> more = MORE_EXTENSIONS.get(type);
    if (more != null) {
      return more;
    }
    try {
      MimeType known = tika.getRegisteredMimeType(type);
      return known == null ? List.of() : known.getExtensions();
    } catch (org.apache.tika.mime.MimeTypeException unreadable) {
      return List.of();
    }
  }
}
