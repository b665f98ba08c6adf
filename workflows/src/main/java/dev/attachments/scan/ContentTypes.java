package dev.attachments.scan;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether what a file's bytes show (Tika's sniff of its first 8 KiB, made on the scan's pass) is
 * what its client declared. The type that decides is the content's: a declared type is accepted
 * only when the content shows that type or one of the few types such files sniff as (below); an
 * executable, a script, HTML or SVG is never accepted as anything but itself. The workflow calls
 * this, so the table is workflow code: change it only behind a {@code Workflow.getVersion}.
 */
public final class ContentTypes {
  /** What Tika answers when the bytes match no known type. */
  public static final String UNIDENTIFIED = "application/octet-stream";

  /** Names clients use for a type, and the one we keep. */
  private static final Map<String, String> ALIASES =
      Map.ofEntries(
          Map.entry("image/jpg", "image/jpeg"),
          Map.entry("image/pjpeg", "image/jpeg"),
          Map.entry("image/x-png", "image/png"),
          Map.entry("image/x-ms-bmp", "image/bmp"),
          Map.entry("audio/mp3", "audio/mpeg"),
          Map.entry("audio/x-mp3", "audio/mpeg"),
          Map.entry("audio/mpeg3", "audio/mpeg"),
          Map.entry("audio/x-mpeg", "audio/mpeg"),
          Map.entry("audio/x-wav", "audio/wav"),
          Map.entry("audio/wave", "audio/wav"),
          Map.entry("audio/vnd.wave", "audio/wav"),
          Map.entry("audio/x-m4a", "audio/mp4"),
          Map.entry("audio/m4a", "audio/mp4"),
          Map.entry("audio/x-flac", "audio/flac"),
          Map.entry("audio/x-aac", "audio/aac"),
          Map.entry("video/x-m4v", "video/mp4"),
          Map.entry("video/avi", "video/x-msvideo"),
          Map.entry("video/msvideo", "video/x-msvideo"),
          Map.entry("text/x-markdown", "text/markdown"),
          Map.entry("application/x-zip-compressed", "application/zip"),
          Map.entry("application/x-zip", "application/zip"),
          Map.entry("application/x-gzip", "application/gzip"),
          Map.entry("application/x-gtar", "application/x-tar"),
          Map.entry("application/x-rar-compressed", "application/vnd.rar"),
          Map.entry("application/x-rar", "application/vnd.rar"),
          Map.entry("text/rtf", "application/rtf"));

  private static final Set<String> TEXT = Set.of("text/plain");
  private static final Set<String> ISO_MEDIA =
      Set.of("video/mp4", "video/quicktime", "audio/mp4", "video/3gpp");
  private static final Set<String> MATROSKA =
      Set.of(
          "application/x-matroska",
          "video/x-matroska",
          "video/webm",
          "audio/webm",
          "audio/x-matroska");
  private static final Set<String> OGG =
      Set.of(
          "application/ogg",
          "audio/ogg",
          "audio/vorbis",
          "audio/opus",
          "audio/speex",
          "video/ogg",
          "video/theora");
  private static final Set<String> HEIF =
      Set.of("image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence");

  /** OLE2 compound files: Tika tells no more without reading the whole file. */
  private static final Set<String> OLD_OFFICE = Set.of("application/x-tika-msoffice");

  /** Zip containers: OOXML, ODF and EPUB are zips, and Tika's prefix sniff often says no more. */
  private static final Set<String> ZIP =
      Set.of("application/zip", "application/x-tika-ooxml", "application/epub+zip");

  /**
   * The declared type, then what the content may show for it besides the type itself. A declared
   * type absent from this table is accepted only when the content shows exactly it.
   */
  private static final Map<String, Set<String>> SHOWS_AS =
      Map.ofEntries(
          Map.entry("text/plain", TEXT),
          Map.entry("text/csv", TEXT),
          Map.entry("text/markdown", TEXT),
          Map.entry("text/tab-separated-values", TEXT),
          Map.entry("video/mp4", ISO_MEDIA),
          Map.entry("video/quicktime", ISO_MEDIA),
          Map.entry("video/3gpp", ISO_MEDIA),
          Map.entry("audio/mp4", ISO_MEDIA),
          Map.entry("video/webm", MATROSKA),
          Map.entry("video/x-matroska", MATROSKA),
          Map.entry("audio/webm", MATROSKA),
          Map.entry("audio/ogg", OGG),
          Map.entry("audio/opus", OGG),
          Map.entry("video/ogg", OGG),
          Map.entry("application/ogg", OGG),
          Map.entry("image/heic", HEIF),
          Map.entry("image/heif", HEIF),
          Map.entry("application/msword", OLD_OFFICE),
          Map.entry("application/vnd.ms-excel", OLD_OFFICE),
          Map.entry("application/vnd.ms-powerpoint", OLD_OFFICE),
          Map.entry("application/vnd.ms-outlook", OLD_OFFICE),
          Map.entry("application/vnd.visio", OLD_OFFICE),
          Map.entry("application/epub+zip", ZIP),
          Map.entry("application/zip", ZIP));

  /** Declared types by prefix: every OOXML and ODF document is a zip. */
  private static final Map<String, Set<String>> SHOWS_AS_BY_PREFIX =
      Map.of(
          "application/vnd.openxmlformats-officedocument.", ZIP,
          "application/vnd.oasis.opendocument.", ZIP);

  /** What runs or renders when opened: never accepted as another type, whatever the table says. */
  private static final Set<String> ACTIVE =
      Set.of(
          "application/x-msdownload",
          "application/x-dosexec",
          "application/x-ms-installer",
          "application/x-msi",
          "application/x-executable",
          "application/x-elf",
          "application/x-sharedlib",
          "application/x-object",
          "application/x-coredump",
          "application/java-vm",
          "application/java-archive",
          "application/x-sh",
          "application/x-csh",
          "application/x-bat",
          "application/x-msdos-program",
          "application/hta",
          "application/x-ms-shortcut",
          "application/vnd.microsoft.portable-executable",
          "text/x-php",
          "application/x-httpd-php",
          "text/x-python",
          "text/x-perl",
          "text/x-ruby",
          "application/javascript",
          "text/javascript",
          "application/ecmascript",
          "text/vbscript",
          "text/html",
          "application/xhtml+xml",
          "image/svg+xml",
          "application/x-shockwave-flash");

  private static final List<String> ACTIVE_PREFIXES = List.of("application/x-mach-o");

  private ContentTypes() {}

  /**
   * The outcome for one file.
   *
   * @param matches whether the content shows the declared type
   * @param servedAs the type the file is downloaded and previewed as: the declared one (normalized)
   *     when the content shows it, else {@value #UNIDENTIFIED}, which no browser renders (an
   *     operator may release a mismatch; HTML sent as a PNG must not then be served as HTML)
   * @param reason why it does not match, naming both types; null when it does
   */
  public record Check(boolean matches, String servedAs, String reason) {}

  /**
   * The type lower-case, without parameters, under the name we keep for it ({@code image/jpg} is
   * image/jpeg).
   */
  public static String normalize(String type) {
    if (type == null) {
      return null;
    }
    String bare = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return ALIASES.getOrDefault(bare, bare);
  }

  /**
   * @param detected what Tika made of the bytes, or null when no type was sniffed (scans made
   *     before sniffing)
   */
  public static Check check(String declared, String detected) {
    String claimed = normalize(declared);
    if (detected == null) {
      return new Check(true, claimed, null);
    }
    String shown = normalize(detected);
    if (shown.equals(claimed) || accepts(claimed, shown)) {
      return new Check(true, claimed, null);
    }
    String what =
        shown.equals(UNIDENTIFIED)
            ? "show no known type"
            : "are " + shown + (isActive(shown) ? ", which runs or renders when opened" : "");
    return new Check(false, UNIDENTIFIED, "declared " + claimed + ", but the bytes " + what);
  }

  /**
   * Whether content of this type runs or renders when opened: an executable, a script, HTML, SVG.
   */
  public static boolean isActive(String type) {
    String bare = normalize(type);
    return ACTIVE.contains(bare) || ACTIVE_PREFIXES.stream().anyMatch(bare::startsWith);
  }

  private static boolean accepts(String claimed, String shown) {
    if (isActive(shown)) {
      return false;
    }
    Set<String> shows = SHOWS_AS.get(claimed);
    if (shows == null) {
      shows =
          SHOWS_AS_BY_PREFIX.entrySet().stream()
              .filter(e -> claimed.startsWith(e.getKey()))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse(Set.of());
    }
    return shows.contains(shown)
        // a zip may be any zip container, ODF documents included
        || (claimed.equals("application/zip")
            && shown.startsWith("application/vnd.oasis.opendocument."));
  }
}
