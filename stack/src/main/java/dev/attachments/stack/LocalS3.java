package dev.attachments.stack;

import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.shaded.org.eclipse.jetty.server.Connector;
import org.gaul.shaded.org.eclipse.jetty.server.HttpConnectionFactory;
import org.gaul.shaded.org.eclipse.jetty.server.Server;

/**
 * s3proxy in this process over a folder: a real S3 endpoint that checks SigV4 signatures, presigned
 * expiry and signed checksums, with CORS open to browser uploads.
 */
public final class LocalS3 implements AutoCloseable {
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final URI endpoint;
  private final String accessKey;
  private final String secretKey;

  private LocalS3(S3Proxy proxy, URI endpoint, String accessKey, String secretKey) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  public static LocalS3 start(Path folder, String accessKey, String secretKey, List<String> buckets)
      throws Exception {
    Files.createDirectories(folder);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", folder.toAbsolutePath().toString());
    BlobStore store = BlobStores.create("filesystem", properties);
    for (String bucket : buckets) {
      if (!store.containerExists(bucket)) {
        store.createContainer(bucket);
      }
    }
    URI endpoint = URI.create("http://127.0.0.1:" + FreePort.pick());
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(endpoint)
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            // the SDK's multipart uploads send x-amz-mp-object-size, which s3proxy otherwise
            // answers with 501
            .ignoreUnknownHeaders(true)
            .corsRules(new CrossOriginResourceSharing())
            .build();
    takeFormTypedBodiesAsBytes(proxy);
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(10);
    }
    return new LocalS3(proxy, endpoint, accessKey, secretKey);
  }

  /**
   * Jetty parses a PUT body typed {@code application/x-www-form-urlencoded} as form fields, so
   * s3proxy finds it empty and answers 400 (gaul/s3proxy#1182, open). AWS stores such a body as it
   * is, and curl's {@code --data-binary} and Python's urllib send that type on every PUT whose URL
   * does not sign another. s3proxy's builder offers no setting for it: its Jetty server is reached
   * through the private field, and any change in s3proxy fails here, at start.
   */
  private static void takeFormTypedBodiesAsBytes(S3Proxy proxy)
      throws ReflectiveOperationException {
    Field field = S3Proxy.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      connector
          .getConnectionFactory(HttpConnectionFactory.class)
          .getHttpConfiguration()
          .setFormEncodedMethods();
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
