package dev.attachments.cloudinary;

import com.cloudinary.Cloudinary;
import com.cloudinary.EagerTransformation;
import com.cloudinary.Transformation;
import com.cloudinary.utils.ObjectUtils;
import dev.attachments.preview.OptimizerActivities;
import dev.attachments.preview.Preview;
import dev.attachments.preview.PreviewRequest;
import dev.attachments.preview.PreviewStatus;
import dev.attachments.redaction.Redaction;
import dev.attachments.s3.Buckets;
import dev.attachments.workflow.TaskQueues;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Previews through Cloudinary: Cloudinary fetches the released object itself from a short presigned
 * GET (no byte of the file passes through the worker) and makes eager derivatives per media type:
 * an image's thumbnail and optimized delivery, a PDF's first page and page count, a video's poster
 * and web-playable rendition, an audio file's waveform. Large videos are transformed
 * asynchronously: Cloudinary notifies the API, which signals the workflow.
 */
@ActivityImpl(taskQueues = TaskQueues.MEDIA_PLACEHOLDER)
public class CloudinaryOptimizer implements OptimizerActivities {
  /** Failure type for a file Cloudinary refused: retrying it would not help. */
  public static final String REFUSED = "PreviewRefused";

  /**
   * @param fetchWindow how long the presigned GET Cloudinary fetches from is valid
   * @param notificationUrl where Cloudinary reports asynchronous derivatives (the API's {@code
   *     /v1/hooks/cloudinary}), or null to make every derivative synchronously
   * @param asyncAbove videos larger than this are transformed asynchronously
   */
  public record Settings(Duration fetchWindow, URI notificationUrl, long asyncAbove) {}

  /**
   * One derivative: its name in {@code preview.urls}, the transformation and the format it is
   * delivered in.
   */
  private record Derivative(String name, Transformation<?> transformation, String format) {}

  private final Cloudinary cloudinary;
  private final S3Client s3;
  private final S3Presigner presigner;
  private final Buckets buckets;
  private final Settings settings;

  public CloudinaryOptimizer(
      Cloudinary cloudinary,
      S3Client s3,
      S3Presigner presigner,
      Buckets buckets,
      Settings settings) {
    this.cloudinary = cloudinary;
    this.s3 = s3;
    this.presigner = presigner;
    this.buckets = buckets;
    this.settings = settings;
  }

  @Override
  public Preview optimize(PreviewRequest request) {
    String type = request.contentType();
    String resourceType;
    List<Derivative> derivatives = new ArrayList<>();
    if (type.equals("application/pdf")) {
      resourceType = "image";
      derivatives.add(
          new Derivative(
              "thumbnail",
              new Transformation<>().page(1).width(320).height(320).crop("limit"),
              "jpg"));
    } else if (type.startsWith("image/")) {
      resourceType = "image";
      derivatives.add(
          new Derivative(
              "thumbnail",
              new Transformation<>()
                  .width(320)
                  .height(320)
                  .crop("limit")
                  .fetchFormat("auto")
                  .quality("auto"),
              null));
    } else if (type.startsWith("video/")) {
      resourceType = "video";
      derivatives.add(
          new Derivative(
              "poster", new Transformation<>().startOffset("0").width(640).crop("limit"), "jpg"));
      derivatives.add(
          new Derivative(
              "video",
              new Transformation<>().videoCodec("h264").width(1280).crop("limit").quality("auto"),
              "mp4"));
    } else if (type.startsWith("audio/")) {
      resourceType = "video"; // Cloudinary keeps audio as a video resource
      derivatives.add(
          new Derivative(
              "waveform",
              new Transformation<>().flags("waveform").width(640).height(200).crop("scale"),
              "png"));
    } else {
      return Preview.of(PreviewStatus.UNSUPPORTED, "no Cloudinary preview is made for " + type);
    }
    boolean async =
        resourceType.equals("video")
            && settings.notificationUrl() != null
            && size(request) > settings.asyncAbove();

    List<EagerTransformation> eager = new ArrayList<>();
    for (Derivative derivative : derivatives) {
      EagerTransformation transformation =
          new EagerTransformation().rawTransformation(derivative.transformation().generate());
      eager.add(
          derivative.format() == null
              ? transformation
              : transformation.format(derivative.format()));
    }
    Map<String, Object> options =
        ObjectUtils.asMap(
            "public_id",
            request.attachmentId(),
            "resource_type",
            resourceType,
            "overwrite",
            true,
            "eager",
            eager,
            "return_error",
            true);
    if (async) {
      options.put("eager_async", true);
      options.put("eager_notification_url", settings.notificationUrl().toString());
    }
    Map<?, ?> result = upload(source(request), options);

    Map<String, String> urls = new LinkedHashMap<>();
    for (Derivative derivative : derivatives) {
      var url =
          cloudinary
              .url()
              .secure(true)
              .resourceType(resourceType)
              .transformation(derivative.transformation());
      if (derivative.format() != null) {
        url.format(derivative.format());
      }
      urls.put(derivative.name(), url.generate(String.valueOf(result.get("public_id"))));
    }
    if (resourceType.equals("image") && !type.equals("application/pdf")) {
      urls.put(
          "optimized",
          cloudinary
              .url()
              .secure(true)
              .transformation(new Transformation<>().fetchFormat("auto").quality("auto"))
              .generate(String.valueOf(result.get("public_id"))));
    }
    Integer pages = result.get("pages") instanceof Number n ? n.intValue() : null;
    return new Preview(async ? PreviewStatus.PENDING : PreviewStatus.READY, urls, null, pages);
  }

  /**
   * Destroys the asset and its derivatives, under both resource types it may have been uploaded as
   * (the type the bytes turned out to be decided), and invalidates the CDN's cached copies; "not
   * found" is what a second deletion hears.
   */
  @Override
  public void deletePreviews(PreviewRequest request) {
    for (String resourceType : List.of("image", "video")) {
      Map<?, ?> result;
      try {
        result =
            cloudinary
                .uploader()
                .destroy(
                    request.attachmentId(),
                    ObjectUtils.asMap(
                        "resource_type", resourceType, "invalidate", true, "return_error", true));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cloudinary is unreachable: " + Redaction.scrub(e.getMessage()), e);
      }
      refusedOrFailed(result);
    }
  }

  private long size(PreviewRequest request) {
    return s3.headObject(b -> b.bucket(buckets.released()).key(request.objectKey()))
        .contentLength();
  }

  private String source(PreviewRequest request) {
    return presigner
        .presignGetObject(
            p ->
                p.signatureDuration(settings.fetchWindow())
                    .getObjectRequest(g -> g.bucket(buckets.released()).key(request.objectKey())))
        .url()
        .toString();
  }

  private Map<?, ?> upload(String source, Map<String, Object> options) {
    Map<?, ?> result;
    try {
      result = cloudinary.uploader().upload(source, options);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cloudinary is unreachable: " + Redaction.scrub(e.getMessage()), e);
    }
    refusedOrFailed(result);
    return result;
  }

  /** Cloudinary's error answer, if it is one, as the failure it is. */
  private static void refusedOrFailed(Map<?, ?> result) {
    if (result.get("error") instanceof Map<?, ?> error) {
      int status = ((Number) error.get("http_code")).intValue();
      // Cloudinary quotes the source it could not fetch: our presigned GET, signature and
      // credential included
      String message =
          "Cloudinary answered "
              + status
              + ": "
              + Redaction.scrub(String.valueOf(error.get("message")));
      // 420 is Cloudinary's rate limit: like a 5xx, worth another try later
      if (status == 420 || status == 429 || status >= 500) {
        throw ApplicationFailure.newFailure(message, "PreviewUnavailable");
      }
      throw ApplicationFailure.newNonRetryableFailure(message, REFUSED);
    }
  }
}
