package dev.attachments.frontend;

import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How both apps reach a Temporal frontend that asks for more than a plain connection: TLS (the
 * system's trust store), a Temporal Cloud API key (sent as a bearer token, over TLS), or a client
 * certificate and its PKCS#8 key (mTLS). Nothing set: the plain connection of a cluster's own
 * frontend or the dev server.
 *
 * @param tls TLS even without a key or certificate (both turn it on by themselves)
 * @param apiKey null or empty for none
 * @param clientCert a PEM certificate chain, null for none; with {@code clientKey}
 * @param clientKey its PEM PKCS#8 private key
 */
public record TemporalSecurity(boolean tls, String apiKey, Path clientCert, Path clientKey) {
  public TemporalSecurity {
    apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    clientCert = blankToNull(clientCert);
    clientKey = blankToNull(clientKey);
    if ((clientCert == null) != (clientKey == null)) {
      throw new IllegalArgumentException(
          "ATTACHMENTS_TEMPORAL_TLS_CERT and ATTACHMENTS_TEMPORAL_TLS_KEY go together: give both or"
              + " neither");
    }
  }

  private static Path blankToNull(Path path) {
    return path == null || path.toString().isBlank() ? null : path;
  }

  public static TemporalSecurity none() {
    return new TemporalSecurity(false, null, null, null);
  }

  /**
   * Adds what is set to the stubs' options; reads the certificate and key now, so a bad one stops
   * the start.
   */
  public WorkflowServiceStubsOptions.Builder applyTo(WorkflowServiceStubsOptions.Builder options) {
    if (clientCert != null) {
      try (InputStream cert = new FileInputStream(clientCert.toFile());
          InputStream key = new FileInputStream(clientKey.toFile())) {
        options.setSslContext(SimpleSslContextBuilder.forPKCS8(cert, key).build());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "the Temporal client certificate or key cannot be read: " + e.getMessage(), e);
      }
    } else if (tls || apiKey != null) {
      options.setEnableHttps(true);
    }
    if (apiKey != null) {
      String key = apiKey;
      options.addApiKey(() -> key);
    }
    return options;
  }

  /** Never the key itself. */
  @Override
  public String toString() {
    return "TemporalSecurity[tls="
        + (tls || apiKey != null || clientCert != null)
        + ", apiKey="
        + (apiKey == null ? "none" : "set")
        + ", clientCert="
        + clientCert
        + "]";
  }
}
