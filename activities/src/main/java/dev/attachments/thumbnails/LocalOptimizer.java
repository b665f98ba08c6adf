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
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Previews made in the worker when no Cloudinary is configured: a JPEG thumbnail of images (JPEG,
 * PNG, GIF, WebP, TIFF, BMP), of the first page of a PDF, and of a video's first second when ffmpeg
 * is installed. Stored in the released bucket under {@code previews/}; the API hands them out as
 * presigned GETs. Images and PDFs are decoded in a child JVM with its own heap ({@link
 * RenderProcess}), videos by ffmpeg; either is killed at the render deadline. Hostile files
 * (decompression bombs, malformed documents, pages made to render for ever) end as FAILED within
 * the pixel, size, memory and time limits, and take no memory or thread of the worker's.
 */
@ActivityImpl(taskQueues = TaskQueues.MEDIA_PLACEHOLDER)
public class LocalOptimizer implements OptimizerActivities {
  public static final String THUMBNAIL = "thumbnail";

  /** Longest edge of a thumbnail, in pixels. */
  static final int EDGE = Thumbnails.EDGE;

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
    byte[] thumbnail;
    try {
      thumbnail = video ? jpeg(poster(request)) : rendered(request, pdf ? "pdf" : "image");
    } catch (Unpreviewable e) {
      return Preview.of(PreviewStatus.FAILED, e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making a preview", e);
    }
    String key = thumbnailKey(request.objectKey());
    s3.putObject(
        b -> b.bucket(buckets.released()).key(key).contentType("image/jpeg"),
        RequestBody.fromBytes(thumbnail));
    return Preview.ready(Map.of(THUMBNAIL, S3Objects.reference(buckets.released(), key)));
  }

  @Override
  public void deletePreviews(PreviewRequest request) {
    s3.deleteObject(b -> b.bucket(buckets.released()).key(thumbnailKey(request.objectKey())));
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

  /** An image's or a PDF's thumbnail, made in a child process ({@link RenderProcess}). */
  private byte[] rendered(PreviewRequest request, String kind)
      throws IOException, InterruptedException, Unpreviewable {
    Path file = download(request);
    try {
      return RenderProcess.render(kind, file, limits.maxPixels(), limits.renderTimeout());
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
        ProcessBuilder builder =
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
                .redirectOutput(log.toFile());
        // ffmpeg parses a hostile file: it gets no secret of the worker's, only where programs are
        String path = System.getenv("PATH");
        builder.environment().clear();
        if (path != null) {
          builder.environment().put("PATH", path);
        }
        Process process = builder.start();
        boolean exited;
        try {
          exited = process.waitFor(limits.renderTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
          RenderProcess.kill(process); // at the deadline, or when this thread is interrupted
        }
        if (!exited) {
          throw new Unpreviewable("making the preview took longer than " + limits.renderTimeout());
        }
        String output = tail(log);
        if (process.exitValue() == 0 && Files.size(frame) > 0) {
          BufferedImage image = ImageIO.read(frame.toFile());
          if (image != null) {
            return Thumbnails.thumbnail(image);
          }
        }
        // from the first frame again only when ffmpeg read the video and found no frame at its
        // first second (a video shorter than that): what it could not read at all it cannot read
        // from the start either, and a second ffmpeg on every file that is no video costs a core
        if (at.equals("0") || process.exitValue() != 0) {
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
