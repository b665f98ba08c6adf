package dev.attachments.thumbnails;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * The JPEG thumbnail of an image or of a PDF's first page, made in a child JVM of the worker's
 * ({@link RenderProcess}): a file made to render for ever, or to take all memory, takes only that
 * process with it. {@code main(image|pdf, source, target, maxPixels)} writes the JPEG to {@code
 * target} and exits 0, or prints why the file cannot be previewed and exits {@link #UNPREVIEWABLE}.
 */
public final class Thumbnails {
  /** Longest edge of a thumbnail, in pixels. */
  static final int EDGE = 320;

  /** The exit status that says the file cannot be previewed; the reason is on standard error. */
  static final int UNPREVIEWABLE = 2;

  public static void main(String[] args) {
    try {
      Path source = Path.of(args[1]);
      BufferedImage thumbnail =
          args[0].equals("pdf") ? fromPdf(source) : fromImage(source, Long.parseLong(args[3]));
      if (!ImageIO.write(thumbnail, "jpg", Path.of(args[2]).toFile())) {
        throw new IOException("no JPEG writer");
      }
      System.exit(0);
    } catch (LocalOptimizer.Unpreviewable e) {
      System.err.println(e.getMessage());
      System.exit(UNPREVIEWABLE);
    } catch (IOException | RuntimeException e) {
      System.err.println("the preview could not be written: " + e.getMessage());
      System.exit(1);
    }
  }

  static BufferedImage fromImage(Path file, long maxPixels)
      throws IOException, LocalOptimizer.Unpreviewable {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new LocalOptimizer.Unpreviewable("the file is not an image this service can read");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > maxPixels) {
          throw new LocalOptimizer.Unpreviewable(
              "the image declares "
                  + width
                  + "x"
                  + height
                  + " pixels, over the limit of "
                  + maxPixels);
        }
        // decode no more pixels than the thumbnail needs
        ImageReadParam param = reader.getDefaultReadParam();
        int step = (int) Math.max(1, Math.max(width, height) / (EDGE * 2));
        param.setSourceSubsampling(step, step, 0, 0);
        return thumbnail(reader.read(0, param));
      } catch (IOException | RuntimeException e) {
        throw new LocalOptimizer.Unpreviewable("the image could not be decoded: " + e.getMessage());
      } finally {
        reader.dispose();
      }
    }
  }

  static BufferedImage fromPdf(Path file) throws IOException, LocalOptimizer.Unpreviewable {
    try (PDDocument document =
        Loader.loadPDF(file.toFile(), IOUtils.createTempFileOnlyStreamCache())) {
      if (document.getNumberOfPages() == 0) {
        throw new LocalOptimizer.Unpreviewable("the PDF has no pages");
      }
      PDRectangle page = document.getPage(0).getCropBox();
      float longest = Math.max(page.getWidth(), page.getHeight());
      if (!(longest > 0)) {
        throw new LocalOptimizer.Unpreviewable("the PDF's first page has no size");
      }
      return thumbnail(new PDFRenderer(document).renderImage(0, EDGE * 2 / longest));
    } catch (InvalidPasswordException e) {
      throw new LocalOptimizer.Unpreviewable("the PDF is encrypted");
    } catch (IOException | RuntimeException e) {
      throw new LocalOptimizer.Unpreviewable("the PDF could not be rendered: " + e.getMessage());
    }
  }

  /**
   * At most {@link #EDGE} pixels on the longest side, never enlarged, on white where it was
   * transparent.
   */
  static BufferedImage thumbnail(BufferedImage source) throws IOException {
    BufferedImage scaled =
        Math.max(source.getWidth(), source.getHeight()) <= EDGE
            ? source
            : net.coobird.thumbnailator.Thumbnails.of(source).size(EDGE, EDGE).asBufferedImage();
    BufferedImage opaque =
        new BufferedImage(scaled.getWidth(), scaled.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = opaque.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, opaque.getWidth(), opaque.getHeight());
    g.drawImage(scaled, 0, 0, null);
    g.dispose();
    return opaque;
  }

  private Thumbnails() {}
}
