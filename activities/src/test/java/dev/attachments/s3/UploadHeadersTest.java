package dev.attachments.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

class UploadHeadersTest {
  private static String unexpected(String cacheControl) {
    return UploadHeaders.unexpected(
        HeadObjectResponse.builder().contentType("image/png").cacheControl(cacheControl).build(),
        "image/png");
  }

  @Test
  void aBrowsersOwnRevalidationIsTakenAndAnythingElseIsNot() {
    assertThat(unexpected(null)).isNull();
    assertThat(unexpected("max-age=0")).isNull();
    assertThat(unexpected("no-cache")).isNull();
    assertThat(unexpected("No-Cache, max-age=0")).isNull();
    assertThat(unexpected("public, max-age=31536000")).contains("Cache-Control: public");
    assertThat(unexpected("max-age=0, s-maxage=86400")).contains("Cache-Control");
    assertThat(unexpected("immutable")).contains("Cache-Control: immutable");
  }
}
