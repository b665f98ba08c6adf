package dev.attachments.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void aPresignedUrlQuotedByFfmpegKeepsItsPathButLosesItsSignatureAndCredential() {
    String ffmpeg =
        "http://127.0.0.1:9000/attachments-released/acme/1f2e?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Date=20261201T100000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=600"
            + "&X-Amz-Credential=AKIAEXAMPLE%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Security-Token=FwoGZXIvYXdzEBAaDH"
            + "&X-Amz-Signature=3f1c0a9b8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeeddcc:"
            + " Invalid data found when processing input";

    String scrubbed = Redaction.scrub(ffmpeg);

    assertThat(scrubbed)
        .doesNotContain("AKIAEXAMPLE", "FwoGZXIvYXdzEBAaDH", "3f1c0a9b8e7d")
        .contains("/attachments-released/acme/1f2e?", "X-Amz-Signature=REDACTED", "X-Amz-Credential=REDACTED")
        .endsWith(" Invalid data found when processing input");
  }

  @Test
  void cloudinaryUrlsSecretsTokensAndSigV4HeadersAreScrubbed() {
    assertThat(Redaction.scrub("bad CLOUDINARY_URL cloudinary://123456:abcdefSECRET@demo"))
        .isEqualTo("bad CLOUDINARY_URL cloudinary://REDACTED@demo");
    assertThat(Redaction.scrub("{\"api_key\":\"123\",\"api_secret\":\"abcdefSECRET\",\"timestamp\":1}"))
        .doesNotContain("abcdefSECRET");
    assertThat(Redaction.scrub("timestamp=1&signature=0a1b2c3d&api_key=123")).doesNotContain("0a1b2c3d");
    assertThat(Redaction.scrub("Authorization: Bearer acme-key-0123456789")).doesNotContain("acme-key-0123456789");
    assertThat(
            Redaction.scrub(
                "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261201/us-east-1/s3/aws4_request,"
                    + " SignedHeaders=host, Signature=fe9a8b7c"))
        .doesNotContain("AKIAEXAMPLE", "fe9a8b7c");
  }

  @Test
  void textWithoutCredentialsIsLeftAsItIs() {
    String verdict = "{\"verdict\":\"INFECTED\",\"signature\":\"Eicar-Test-Signature\"} at https://example.com/a?b=c";
    assertThat(Redaction.scrub(verdict)).isEqualTo(verdict);
    assertThat(Redaction.scrub(null)).isNull();
  }
}
