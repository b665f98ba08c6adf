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
        .contains(
            "/attachments-released/acme/1f2e?",
            "X-Amz-Signature=REDACTED",
            "X-Amz-Credential=REDACTED")
        .endsWith(" Invalid data found when processing input");
  }

  @Test
  void cloudinaryUrlsSecretsTokensAndSigV4HeadersAreScrubbed() {
    assertThat(Redaction.scrub("bad CLOUDINARY_URL cloudinary://123456:abcdefSECRET@demo"))
        .isEqualTo("bad CLOUDINARY_URL cloudinary://REDACTED@demo");
    assertThat(
            Redaction.scrub(
                "{\"api_key\":\"123\",\"api_secret\":\"abcdefSECRET\",\"timestamp\":1}"))
        .doesNotContain("abcdefSECRET");
    assertThat(Redaction.scrub("timestamp=1&signature=0a1b2c3d&api_key=123"))
        .doesNotContain("0a1b2c3d");
    assertThat(Redaction.scrub("Authorization: Bearer acme-key-0123456789"))
        .doesNotContain("acme-key-0123456789");
    assertThat(
            Redaction.scrub(
                "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261201/us-east-1/s3/aws4_request,"
                    + " SignedHeaders=host, Signature=fe9a8b7c"))
        .doesNotContain("AKIAEXAMPLE", "fe9a8b7c");
  }

  @Test
  void theApisKeysAndUploadTokensAreScrubbedWhereverTheyAreQuoted() {
    String key = "att_0123456789ab_" + "k".repeat(43);
    String token = "attu_0123456789abcdef0123456789abcdef_" + "T".repeat(43);
    assertThat(Redaction.scrub("{\"token\":\"" + token + "\"} and key=" + key))
        .isEqualTo("{\"token\":\"attu_REDACTED\"} and key=att_REDACTED")
        .doesNotContain("kkkk")
        .doesNotContain("TTTT");
  }

  @Test
  void encodedEscapedAndXmlFormsAreScrubbedToo() {
    String nested =
        "https://res.cloudinary.com/fetch/https%3A%2F%2Fs3%2Fx%3FX-Amz-Signature%3Dfe9a8b7c%26X-Amz-Credential%3DAKIAEXAMPLE";
    assertThat(Redaction.scrub(nested)).doesNotContain("fe9a8b7c", "AKIAEXAMPLE");
    assertThat(Redaction.scrub("x?X-Amz-Signature%253Dfe9a8b7c")).doesNotContain("fe9a8b7c");
    assertThat(Redaction.scrub("{\\\"api_secret\\\":\\\"abcdefSECRET\\\"}"))
        .doesNotContain("abcdefSECRET");
    assertThat(Redaction.scrub("{\"url\":\"x?X-Amz-Signature\\u003dfe9a8b7c\"}"))
        .doesNotContain("fe9a8b7c");
    assertThat(
            Redaction.scrub(
                "<Error><AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId><SignatureProvided>fe9a8b7c"
                    + "</SignatureProvided></Error>"))
        .doesNotContain("AKIAEXAMPLE", "fe9a8b7c");
    assertThat(Redaction.scrub("s3://AKIAEXAMPLE:wJalr/XUtnFEMI/K7MDENG@bucket/key"))
        .isEqualTo("s3://REDACTED@bucket/key");
    assertThat(Redaction.scrub("https://ghp_TOKEN@github.com/org/repo"))
        .doesNotContain("ghp_TOKEN");
    assertThat(Redaction.scrub("Authorization: Bearer k3y!with#odd*chars"))
        .doesNotContain("k3y!with#odd*chars");
  }

  @Test
  void textWithoutCredentialsIsLeftAsItIs() {
    String record =
        "ScanResult[verdict=INFECTED, signature=Eicar-Test-Signature, engine=ClamAV 1.4.6]";
    assertThat(Redaction.scrub(record)).isEqualTo(record);
    String mail = "https://example.com/contact?to=ops@example.com";
    assertThat(Redaction.scrub(mail)).isEqualTo(mail);
    String verdict =
        "{\"verdict\":\"INFECTED\",\"signature\":\"Eicar-Test-Signature\"} at https://example.com/a?b=c";
    assertThat(Redaction.scrub(verdict)).isEqualTo(verdict);
    assertThat(Redaction.scrub(null)).isNull();
  }
}
