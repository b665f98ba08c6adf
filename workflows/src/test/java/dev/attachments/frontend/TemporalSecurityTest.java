package dev.attachments.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalSecurityTest {
  private static WorkflowServiceStubsOptions options(TemporalSecurity security) {
    return security
        .applyTo(WorkflowServiceStubsOptions.newBuilder().setTarget("frontend.example:7233"))
        .validateAndBuildWithDefaults();
  }

  @Test
  void nothingSetIsThePlainConnection() {
    WorkflowServiceStubsOptions plain = options(TemporalSecurity.none());
    assertThat(plain.getEnableHttps()).isFalse();
    assertThat(plain.getSslContext()).isNull();
    assertThat(plain.getGrpcMetadataProviders()).isNullOrEmpty();
  }

  @Test
  void anApiKeyGoesOverTlsAndIsNeverPrinted() {
    TemporalSecurity security = new TemporalSecurity(false, " secret-key-123 ", null, null);
    WorkflowServiceStubsOptions cloud = options(security);
    assertThat(cloud.getEnableHttps()).isTrue();
    assertThat(cloud.getGrpcMetadataProviders()).hasSize(1);
    assertThat(cloud.getGrpcMetadataProviders().iterator().next().getMetadata().toString())
        .contains("Bearer secret-key-123");
    assertThat(security.toString()).doesNotContain("secret-key-123").contains("apiKey=set");
  }

  @Test
  void aClientCertificateMakesTheSslContext(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=attachments-worker",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .start();
    openssl.getInputStream().readAllBytes();
    assertThat(openssl.waitFor()).isZero();

    assertThat(options(new TemporalSecurity(false, null, cert, key)).getSslContext()).isNotNull();
    Files.writeString(key, "not a key");
    assertThatThrownBy(() -> options(new TemporalSecurity(false, null, cert, key)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TemporalSecurity(true, null, cert, null))
        .hasMessageContaining("go together");
  }
}
