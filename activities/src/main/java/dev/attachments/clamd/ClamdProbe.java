package dev.attachments.clamd;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Asks a clamd whether it scans as docker/clamd-scanning.conf says, in a second and without
 * streaming gigabytes: it must refuse a stream one byte over the limit the worker was told and
 * accept one of exactly that length (clamd judges a chunk by its announced length), and report an
 * encrypted archive.
 */
final class ClamdProbe {
  private static final byte[] ENCRYPTED_ZIP = encryptedZip();

  /** How many times the probe's zip is scanned while clamd runs out of time on it. */
  static final int TIME_TRIES = 5;

  private static final String SCAN_TIME_EXCEEDED = "Heuristics.Limits.Exceeded.MaxScanTime";

  private ClamdProbe() {}

  /**
   * @return why this clamd does not scan as configured, or null when it does
   * @throws IOException when clamd cannot be reached
   */
  static String mismatch(ClamdClient clamd, long maxStream) throws IOException {
    if (maxStream < 1 || maxStream >= 0xFFFF_FFFFL) {
      return "ATTACHMENTS_CLAMD_MAX_STREAM is "
          + maxStream
          + ": clamd streams are at most 4 GiB - 2 bytes";
    }
    String over = clamd.announceStream(maxStream + 1, Duration.ofSeconds(5));
    if (over == null || !new ClamdClient.Reply(over).isStreamTooLong()) {
      return "it takes a stream of "
          + (maxStream + 1)
          + " bytes, one more than ATTACHMENTS_CLAMD_MAX_STREAM: its"
          + " StreamMaxLength is larger than the worker was told";
    }
    String at = clamd.announceStream(maxStream, Duration.ofSeconds(1));
    if (at != null) {
      return "it refuses a stream of ATTACHMENTS_CLAMD_MAX_STREAM ("
          + maxStream
          + ") bytes ('"
          + at
          + "'): its"
          + " StreamMaxLength is smaller than the worker was told";
    }
    ClamdClient.Reply encrypted = encryptedZipAnswer(clamd);
    if (!(encrypted.isFound() && encrypted.detail().startsWith("Heuristics.Encrypted"))) {
      return "it answers '"
          + encrypted.line()
          + "' for an encrypted zip: AlertEncryptedArchive is off";
    }
    return null;
  }

  /**
   * clamd's answer for the encrypted zip. A clamd flooded by others may run out of its MaxScanTime
   * even on these few bytes, which says nothing of its configuration: asked again, up to {@link
   * #TIME_TRIES} times. One that always runs out of time fails the probe (files wait).
   */
  private static ClamdClient.Reply encryptedZipAnswer(ClamdClient clamd) throws IOException {
    ClamdClient.Reply answer = null;
    for (int attempt = 0; attempt < TIME_TRIES; attempt++) {
      answer = clamd.scan(new ByteArrayInputStream(ENCRYPTED_ZIP), sent -> {});
      if (!(answer.isFound() && answer.detail().startsWith(SCAN_TIME_EXCEEDED))) {
        return answer;
      }
    }
    return answer;
  }

  /** A one-entry zip flagged encrypted. */
  private static byte[] encryptedZip() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("probe.txt"));
      zip.write("is this read?".getBytes(StandardCharsets.US_ASCII));
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return encrypted(bytes.toByteArray());
  }

  /**
   * The zip with every entry flagged encrypted (general purpose bit 0), as a password-protected zip
   * is: what clamd looks at. The bytes themselves are not scrambled.
   */
  static byte[] encrypted(byte[] zip) {
    byte[] flagged = zip.clone();
    for (int i = 0; i + 8 < flagged.length; i++) {
      if (flagged[i] == 0x50
          && flagged[i + 1] == 0x4b
          && flagged[i + 2] == 0x03
          && flagged[i + 3] == 0x04) {
        flagged[i + 6] |= 1; // local file header: flags at offset 6
      } else if (flagged[i] == 0x50
          && flagged[i + 1] == 0x4b
          && flagged[i + 2] == 0x01
          && flagged[i + 3] == 0x02) {
        flagged[i + 8] |= 1; // central directory header: flags at offset 8
      }
    }
    return flagged;
  }
}
