package dev.attachments.thumbnails;

import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.redaction.Redaction;
import dev.attachments.s3.Buckets;
import dev.attachments.storage.S3Objects;
import dev.attachments.workflow.TaskQueues;
import io.temporal.spring.boot.ActivityImpl;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.rendering.PDFRenderer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Previews made in the worker when no Cloudinary is configured: a JPEG thumbnail of images (JPEG,
 * PNG, GIF, WebP, TIFF, BMP), of the first page of a PDF, and of a video's first second when ffmpeg
 * is installed. Stored in the released bucket under {@code previews/}; the API hands them out as
 * presigned GETs. Hostile files (decompression bombs, malformed documents) end as FAILED within the
 * pixel, size and time limits.
 */
@ActivityImpl(taskQueues = TaskQueues.MEDIA_PLACEHOLDER)
public class LocalOptimizer implements OptimizerActivities {
  public static final String THUMBNAIL = "thumbnail";

  /** Longest edge of a thumbnail, in pixels. */
  static final int EDGE = 320;

  private static final Set<String> IMAGES =
      Set.of(
          "image/jpeg",
          "image/png",
          "image/gif",
          "image/webp",
          "image/tiff",
          "image/bmp",
          "image/x-ms-bmp");

  /**
   * @param maxPixels largest image (width x height) decoded; a bomb declares far more
   * @param maxSourceBytes largest file fetched for a preview
   * @param renderTimeout longest one preview may take
   */
  public record Limits(long maxPixels, long maxSourceBytes, Duration renderTimeout) {
    public static Limits defaults() {
      return new Limits(100_000_000L, 256L * 1024 * 1024, Duration.ofSeconds(60));
    }
  }

  private final S3Client s3;
  private final S3Presigner presigner;
  private final Buckets buckets;
  private final Limits limits;
  private final String ffmpeg;
  private final ExecutorService renderers =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "preview-render");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param ffmpeg the ffmpeg binary, or null when it is not installed (videos are then UNSUPPORTED)
   */
  public LocalOptimizer(
      S3Client s3, S3Presigner presigner, Buckets buckets, Limits limits, String ffmpeg) {
    this.s3 = s3;
    this.presigner = presigner;
    this.buckets = buckets;
    this.limits = limits;
    this.ffmpeg = ffmpeg;
  }

  /** Where an attachment's thumbnail lives in the released bucket. */
  public static String thumbnailKey(String objectKey) {
    return "previews/" + objectKey + "/thumbnail.jpg";
  }

  @Override
  public Preview optimize(PreviewRequest request) {
    String type = request.contentType();
    boolean image = IMAGES.contains(type);
    boolean pdf = type.equals("application/pdf");
    boolean video = type.startsWith("video/");
    if (!image && !pdf && !video) {
      return Preview.of(PreviewStatus.UNSUPPORTED, "no local preview is made for " + type);
    }
    if (video && ffmpeg == null) {
      return Preview.of(PreviewStatus.UNSUPPORTED, "video posters need ffmpeg on the worker");
    }
    long size =
        s3.headObject(b -> b.bucket(buckets.released()).key(request.objectKey())).contentLength();
    if (!video && size > limits.maxSourceBytes()) {
      return Preview.of(
          PreviewStatus.UNSUPPORTED,
          "the file is over the local preview limit of " + limits.maxSourceBytes() + " bytes");
    }
    BufferedImage thumbnail;
    try {
      thumbnail =
          withinTime(() -> video ? poster(request) : image ? fromImage(request) : fromPdf(request));
    } catch (Unpreviewable e) {
      return Preview.of(PreviewStatus.FAILED, e.getMessage());
    }
    String key = thumbnailKey(request.objectKey());
    s3.putObject(
        b -> b.bucket(buckets.released()).key(key).contentType("image/jpeg"),
        RequestBody.fromBytes(jpeg(thumbnail)));
    return Preview.ready(Map.of(THUMBNAIL, S3Objects.reference(buckets.released(), key)));
  }

  /**
   * A file no preview can be made of: the same file would fail again, so this is an outcome, not an
   * error.
   */
  static final class Unpreviewable extends Exception {
    Unpreviewable(String message) {
      super(message, null, false, false);
    }
  }

  private interface Render {
    BufferedImage run() throws Unpreviewable, IOException, InterruptedException;
  }

  private BufferedImage withinTime(Render render) throws Unpreviewable {
    Future<BufferedImage> rendering = renderers.submit(render::run);
    try {
      return rendering.get(limits.renderTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      rendering.cancel(true);
      throw new Unpreviewable("making the preview took longer than " + limits.renderTimeout());
    } catch (InterruptedException e) {
      rendering.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making a preview", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Unpreviewable unpreviewable) {
        throw unpreviewable;
      }
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      if (e.getCause() instanceof OutOfMemoryError) {
        throw new Unpreviewable(
            "the file needs more memory to render than the worker gives a preview");
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private BufferedImage fromImage(PreviewRequest request) throws IOException, Unpreviewable {
    Path file = download(request);
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new Unpreviewable("the file is not an image this service can read");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > limits.maxPixels()) {
          throw new Unpreviewable(
              "the image declares "
                  + width
                  + "x"
                  + height
                  + " pixels, over the limit of "
                  + limits.maxPixels());
        }
        // decode no more pixels than the thumbnail needs
        ImageReadParam param = reader.getDefaultReadParam();
        int step = (int) Math.max(1, Math.max(width, height) / (EDGE * 2));
        param.setSourceSubsampling(step, step, 0, 0);
        return thumbnail(reader.read(0, param));
      } catch (IOException | RuntimeException e) {
        throw new Unpreviewable("the image could not be decoded: " + e.getMessage());
      } finally {
        reader.dispose();
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private BufferedImage fromPdf(PreviewRequest request) throws IOException, Unpreviewable {
    Path file = download(request);
    try (PDDocument document =
        Loader.loadPDF(file.toFile(), IOUtils.createTempFileOnlyStreamCache())) {
      if (document.getNumberOfPages() == 0) {
        throw new Unpreviewable("the PDF has no pages");
      }
      PDRectangle page = document.getPage(0).getCropBox();
      float longest = Math.max(page.getWidth(), page.getHeight());
      if (!(longest > 0)) {
        throw new Unpreviewable("the PDF's first page has no size");
      }
      return thumbnail(new PDFRenderer(document).renderImage(0, EDGE * 2 / longest));
    } catch (InvalidPasswordException e) {
      throw new Unpreviewable("the PDF is encrypted");
    } catch (IOException | RuntimeException e) {
      throw new Unpreviewable("the PDF could not be rendered: " + e.getMessage());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * ffmpeg reads the released video itself from a short presigned GET, seeking to the first second.
   */
  private BufferedImage poster(PreviewRequest request)
      throws IOException, InterruptedException, Unpreviewable {
    String url =
        presigner
            .presignGetObject(
                p ->
                    p.signatureDuration(Duration.ofMinutes(10))
                        .getObjectRequest(
                            g -> g.bucket(buckets.released()).key(request.objectKey())))
            .url()
            .toString();
    Path frame = Files.createTempFile("poster", ".png");
    Path log = Files.createTempFile("ffmpeg", ".log");
    try {
      for (String at : List.of("1", "0")) {
        Process process =
            new ProcessBuilder(
                    ffmpeg,
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-nostdin",
                    "-y",
                    "-ss",
                    at,
                    "-i",
                    url,
                    "-frames:v",
                    "1",
                    "-vf",
                    "scale='min(" + EDGE * 2 + ",iw)':-2",
                    frame.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
          // interruptible: when the render deadline cancels this thread, ffmpeg dies with it
          process.waitFor();
        } finally {
          kill(process);
        }
        String output = tail(log);
        if (process.exitValue() == 0 && Files.size(frame) > 0) {
          BufferedImage image = ImageIO.read(frame.toFile());
          if (image != null) {
            return thumbnail(image);
          }
        }
        if (at.equals("0")) {
          // ffmpeg quotes its input: the presigned URL, signature and credential included
          throw new Unpreviewable(
              "ffmpeg could not read a frame: " + Redaction.scrub(output.strip()));
        }
      }
      throw new IllegalStateException("unreachable");
    } finally {
      Files.deleteIfExists(frame);
      Files.deleteIfExists(log);
    }
  }

  /** The process and every process it started, forcibly: none of them outlives its deadline. */
  private static void kill(Process process) {
    List<ProcessHandle> children = process.descendants().toList(); // before they lose their parent
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** The end of ffmpeg's output, where it says what went wrong; a few KiB at most. */
  private static String tail(Path log) throws IOException {
    byte[] bytes = Files.readAllBytes(log);
    int from = Math.max(0, bytes.length - 4096);
    return new String(bytes, from, bytes.length - from, java.nio.charset.StandardCharsets.UTF_8);
  }

  private Path download(PreviewRequest request) throws IOException {
    Path file = Files.createTempFile("preview", ".src");
    Files.delete(file);
    s3.getObject(b -> b.bucket(buckets.released()).key(request.objectKey()), file);
    return file;
  }

  /**
   * At most {@link #EDGE} pixels on the longest side, never enlarged, on white where it was
   * transparent.
   */
  private static BufferedImage thumbnail(BufferedImage source) throws IOException {
    BufferedImage scaled =
        Math.max(source.getWidth(), source.getHeight()) <= EDGE
            ? source
            : Thumbnails.of(source).size(EDGE, EDGE).asBufferedImage();
    BufferedImage opaque =
        new BufferedImage(scaled.getWidth(), scaled.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = opaque.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, opaque.getWidth(), opaque.getHeight());
    g.drawImage(scaled, 0, 0, null);
    g.dispose();
    return opaque;
  }

  private static byte[] jpeg(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "jpg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
