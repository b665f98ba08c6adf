package dev.attachments.worker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything the worker is told from outside; application.yml maps each to its ATTACHMENTS_* variable.
 *
 * @param readyFile written once the workers poll, so that a launcher knows (empty: none)
 */
@ConfigurationProperties(prefix = "attachments")
public record WorkerSettings(S3 s3, Buckets buckets, Clamd clamd, Cloudinary cloudinary, Path readyFile) {

  /** @param endpoint empty for AWS itself; an S3-compatible server's URL otherwise */
  public record S3(URI endpoint, @DefaultValue("us-east-1") String region, String accessKey, String secretKey) {
    public boolean hasEndpoint() {
      return endpoint != null && !endpoint.toString().isBlank();
    }

    public boolean hasStaticCredentials() {
      return accessKey != null && !accessKey.isBlank();
    }
  }

  public record Buckets(
      @DefaultValue("attachments-incoming") String incoming,
      @DefaultValue("attachments-released") String released,
      @DefaultValue("attachments-quarantine") String quarantine) {}

  public record Clamd(
      @DefaultValue("127.0.0.1") String host,
      @DefaultValue("3310") int port,
      @DefaultValue("5s") Duration connectTimeout,
      @DefaultValue("5m") Duration readTimeout) {}

  /** @param url {@code cloudinary://key:secret@cloud}; empty means previews are not configured */
  public record Cloudinary(String url, @DefaultValue("15m") Duration fetchWindow) {
    public boolean isConfigured() {
      return url != null && !url.isBlank();
    }
  }
}
