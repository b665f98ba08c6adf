package dev.attachments.testing;

import dev.attachments.stack.LocalClamd;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Test files made on the spot: a real PNG, the EICAR test string, and EICAR inside a zip. */
public final class TestFiles {
  public static byte[] png(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(30, 120, 200));
    g.fillRect(0, 0, width, height);
    g.setColor(Color.ORANGE);
    g.fillOval(width / 4, height / 4, width / 2, height / 2);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The image in another ImageIO format: jpg, gif, bmp, tiff. */
  public static byte[] image(String format, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.MAGENTA);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalArgumentException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A 1x1 lossless WebP (ImageIO reads WebP through TwelveMonkeys but cannot write it). */
  public static byte[] webp() {
    return java.util.Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
  }

  /**
   * A decompression bomb: a PNG whose header declares 40,000 x 40,000 pixels (4.8 GB decoded) with
   * hardly any data behind it.
   */
  public static byte[] pngBomb() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(13).putInt(40_000).putInt(40_000);
      header.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
      chunk(out, "IHDR", header.array());
      java.util.zip.Deflater deflater = new java.util.zip.Deflater(9);
      deflater.setInput(new byte[1 << 20]);
      deflater.finish();
      byte[] compressed = new byte[1 << 16];
      int length = deflater.deflate(compressed);
      chunk(out, "IDAT", java.util.Arrays.copyOf(compressed, length));
      chunk(out, "IEND", new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
      throws IOException {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(type.getBytes(StandardCharsets.US_ASCII));
    crc.update(data);
    out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
    out.write(type.getBytes(StandardCharsets.US_ASCII));
    out.write(data);
    out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** A real two-page PDF, made with PDFBox. */
  public static byte[] pdf() {
    return pdf(
        2,
        content -> {
          content.setNonStrokingColor(Color.BLUE);
          content.addRect(100, 400, 400, 200);
          content.fill();
        });
  }

  /**
   * A one-page PDF of a few KiB (Flate) whose page is 300,000 full-page fills: minutes of
   * rendering, what a hostile document made to hold a renderer looks like.
   */
  public static byte[] slowPdf() {
    return pdf(
        1,
        content -> {
          for (int i = 0; i < 300_000; i++) {
            content.setNonStrokingColor((i % 256) / 255f, 0.5f, 0.5f);
            content.addRect(0, 0, 612, 792);
            content.fill();
          }
        });
  }

  private interface PageContent {
    void draw(org.apache.pdfbox.pdmodel.PDPageContentStream content) throws IOException;
  }

  private static byte[] pdf(int pages, PageContent drawing) {
    try (org.apache.pdfbox.pdmodel.PDDocument document =
        new org.apache.pdfbox.pdmodel.PDDocument()) {
      for (int i = 0; i < pages; i++) {
        org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage();
        document.addPage(page);
        try (org.apache.pdfbox.pdmodel.PDPageContentStream content =
            new org.apache.pdfbox.pdmodel.PDPageContentStream(document, page)) {
          drawing.draw(content);
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      document.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A two-second MP4 made by ffmpeg's test source, or null when ffmpeg is not installed. */
  public static byte[] mp4() {
    return ffmpeg(".mp4", "testsrc=duration=2:size=640x360:rate=10", "-pix_fmt", "yuv420p");
  }

  /** Half a second of video, or null when ffmpeg is not installed: no frame at its first second. */
  public static byte[] shortMp4() {
    return ffmpeg(".mp4", "testsrc=duration=0.5:size=640x360:rate=10", "-pix_fmt", "yuv420p");
  }

  /** A one-second MP3 of a sine tone made by ffmpeg, or null when ffmpeg is not installed. */
  public static byte[] mp3() {
    return ffmpeg(".mp3", "sine=frequency=440:duration=1");
  }

  private static byte[] ffmpeg(String suffix, String source, String... options) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("media", suffix);
      java.util.List<String> command =
          new java.util.ArrayList<>(
              java.util.List.of(
                  "ffmpeg",
                  "-hide_banner",
                  "-loglevel",
                  "error",
                  "-y",
                  "-f",
                  "lavfi",
                  "-i",
                  source));
      command.addAll(java.util.List.of(options));
      command.add(file.toString());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      if (process.waitFor() != 0) {
        return null;
      }
      byte[] bytes = java.nio.file.Files.readAllBytes(file);
      java.nio.file.Files.delete(file);
      return bytes;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * A small Office Open XML document as Word or Excel write one: {@code [Content_Types].xml} first,
   * the package relationships, and one main part.
   *
   * @param mainPart {@code word/document.xml} or {@code xl/workbook.xml}
   */
  public static byte[] ooxml(String mainPart, String contentType) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      entry(
          zip,
          "[Content_Types].xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
              + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
              + "<Override PartName=\"/"
              + mainPart
              + "\" ContentType=\""
              + contentType
              + "\"/></Types>");
      entry(
          zip,
          "_rels/.rels",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
              + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\""
              + mainPart
              + "\"/></Relationships>");
      entry(zip, mainPart, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><root/>");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void entry(ZipOutputStream zip, String name, String content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  /**
   * A real, whole executable: this machine's {@code true} (ELF). clamd finds nothing in it, and
   * nothing broken (a hand-made PE header would be reported as a broken executable before any type
   * check).
   */
  public static byte[] executable() {
    for (String path : java.util.List.of("/usr/bin/true", "/bin/true")) {
      try {
        return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(path));
      } catch (IOException missing) {
        // try the next
      }
    }
    throw new IllegalStateException("no /usr/bin/true here");
  }

  /** A PNG's eight-byte signature followed by bytes no decoder reads: a PNG, broken. */
  public static byte[] brokenPng() {
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    byte[] junk = "certainly not the rest of a png".getBytes(StandardCharsets.US_ASCII);
    byte[] png = java.util.Arrays.copyOf(signature, signature.length + junk.length);
    System.arraycopy(junk, 0, png, signature.length, junk.length);
    return png;
  }

  public static byte[] eicar() {
    return LocalClamd.EICAR.getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] zipped(String name, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(content);
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private TestFiles() {}
}
