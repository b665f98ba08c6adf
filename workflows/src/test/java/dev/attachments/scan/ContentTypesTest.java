package dev.attachments.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentTypesTest {
  /**
   * Declared types, and what Tika 3.2 (tika-core) answers for a real file of that kind: all honest.
   */
  @ParameterizedTest
  @CsvSource({
    "image/png, image/png, image/png",
    "image/jpg, image/jpeg, image/jpeg",
    "image/jpeg, image/jpeg, image/jpeg",
    "text/csv, text/plain, text/csv",
    "text/markdown, text/plain, text/markdown",
    "text/plain, text/plain, text/plain",
    "video/mp4, video/quicktime, video/mp4",
    "video/webm, application/x-matroska, video/webm",
    "audio/mpeg, audio/mpeg, audio/mpeg",
    "audio/mp3, audio/mpeg, audio/mpeg",
    "audio/x-wav, audio/vnd.wave, audio/wav",
    "audio/ogg, audio/vorbis, audio/ogg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/x-tika-ooxml,"
        + " application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/x-tika-ooxml,"
        + " application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text, application/vnd.oasis.opendocument.text,"
        + " application/vnd.oasis.opendocument.text",
    "application/msword, application/x-tika-msoffice, application/msword",
    "application/zip, application/zip, application/zip",
    "application/x-zip-compressed, application/zip, application/zip",
    "application/x-tar, application/x-gtar, application/x-tar",
    "application/x-rar-compressed, 'application/x-rar-compressed; version=5', application/vnd.rar",
    "application/pdf, application/pdf, application/pdf",
  })
  void honestFilesMatchAndAreServedAsDeclared(String declared, String detected, String servedAs) {
    ContentTypes.Check check = ContentTypes.check(declared, detected);

    assertThat(check.matches()).as(check.reason()).isTrue();
    assertThat(check.servedAs()).isEqualTo(servedAs);
  }

  @ParameterizedTest
  @CsvSource({
    "image/png, 'application/x-msdownload; format=pe32', application/x-msdownload, runs or renders",
    "image/png, text/html, text/html, runs or renders",
    "image/png, image/svg+xml, image/svg+xml, runs or renders",
    "text/plain, text/html, text/html, runs or renders",
    "text/plain, application/x-sh, application/x-sh, runs or renders",
    "application/zip, application/java-archive, application/java-archive, runs or renders",
    "application/pdf, application/x-msdownload, application/x-msdownload, runs or renders",
    "image/png, application/octet-stream, application/octet-stream, no known type",
    "text/csv, application/pdf, application/pdf, are application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/pdf, application/pdf,"
        + " are application/pdf",
  })
  void disguisedFilesDoNotMatchAndWouldBeServedAsBytesNoBrowserRenders(
      String declared, String detected, String shown, String reasonPart) {
    ContentTypes.Check check = ContentTypes.check(declared, detected);

    assertThat(check.matches()).isFalse();
    assertThat(check.servedAs()).isEqualTo(ContentTypes.UNIDENTIFIED);
    if (!shown.equals(ContentTypes.UNIDENTIFIED)) {
      assertThat(check.reason()).contains(shown);
    }
    assertThat(check.reason()).contains("declared " + ContentTypes.normalize(declared), reasonPart);
  }

  @Test
  void activeContentMatchesOnlyWhenDeclaredAsItselfByAnOperatorsChoice() {
    assertThat(ContentTypes.check("text/html", "text/html").matches()).isTrue();
    assertThat(ContentTypes.isActive("application/x-mach-o-executable")).isTrue();
    assertThat(ContentTypes.isActive("image/png")).isFalse();
  }

  @Test
  void aScanFromBeforeSniffingDecidesNothing() {
    assertThat(ContentTypes.check("image/png", null))
        .isEqualTo(new ContentTypes.Check(true, "image/png", null));
  }
}
