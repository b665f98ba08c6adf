package dev.attachments.preview;

import com.cloudinary.Cloudinary;
import com.cloudinary.Transformation;
import com.cloudinary.utils.ObjectUtils;
import dev.attachments.upload.Buckets;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Previews through Cloudinary: Cloudinary fetches the released object itself from a short presigned GET, so
 * no byte of the file passes through the worker, and makes an eager thumbnail.
 */
@ActivityImpl(taskQueues = "${attachments.task-queues.media:attachments-media}")
public class CloudinaryOptimizer implements OptimizerActivities {
  /** Failure type for a file Cloudinary refused: retrying it would not help. */
  public static final String REFUSED = "PreviewRefused";

  static final Transformation THUMBNAIL =
      new Transformation().width(320).height(320).crop("limit").fetchFormat("auto").quality("auto");

  private final Cloudinary cloudinary;
  private final S3Presigner presigner;
  private final Buckets buckets;
  private final Duration fetchWindow;

  public CloudinaryOptimizer(Cloudinary cloudinary, S3Presigner presigner, Buckets buckets, Duration fetchWindow) {
    this.cloudinary = cloudinary;
    this.presigner = presigner;
    this.buckets = buckets;
    this.fetchWindow = fetchWindow;
  }

  @Override
  public Preview optimize(PreviewRequest request) {
    if (!request.contentType().startsWith("image/")) {
      return Preview.of(PreviewStatus.UNSUPPORTED, "no Cloudinary preview is made for " + request.contentType());
    }
    String source =
        presigner
            .presignGetObject(
                p ->
                    p.signatureDuration(fetchWindow)
                        .getObjectRequest(g -> g.bucket(buckets.released()).key(request.objectKey())))
            .url()
            .toString();
    Map<?, ?> result;
    try {
      result =
          cloudinary
              .uploader()
              .upload(
                  source,
                  ObjectUtils.asMap(
                      "public_id", request.attachmentId(),
                      "resource_type", "image",
                      "overwrite", true,
                      "eager", List.of(THUMBNAIL),
                      "return_error", true));
    } catch (IOException e) {
      throw new UncheckedIOException("Cloudinary is unreachable: " + e.getMessage(), e);
    }
    if (result.get("error") instanceof Map<?, ?> error) {
      int status = ((Number) error.get("http_code")).intValue();
      String message = "Cloudinary answered " + status + ": " + error.get("message");
      // 420 is Cloudinary's rate limit: like a 5xx, worth another try later
      if (status == 420 || status == 429 || status >= 500) {
        throw ApplicationFailure.newFailure(message, "PreviewUnavailable");
      }
      throw ApplicationFailure.newNonRetryableFailure(message, REFUSED);
    }
    Map<String, String> urls = new LinkedHashMap<>();
    if (result.get("eager") instanceof List<?> eager && !eager.isEmpty() && eager.get(0) instanceof Map<?, ?> first) {
      urls.put("thumbnail", String.valueOf(first.get("secure_url")));
    }
    urls.put(
        "optimized",
        cloudinary
            .url()
            .secure(true)
            .transformation(new Transformation().fetchFormat("auto").quality("auto"))
            .generate(String.valueOf(result.get("public_id"))));
    return new Preview(PreviewStatus.READY, urls, null);
  }
}
