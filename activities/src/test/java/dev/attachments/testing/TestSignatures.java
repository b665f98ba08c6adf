package dev.attachments.testing;

import dev.attachments.clamd.ClamdClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Signatures a test gives a real clamd, which it reloads. {@link #installDated}: a daily signature
 * database built at a chosen time, as freshclam would leave an old one. It is an unsigned database
 * ({@code daily.cud}: a CVD header and a tar.gz holding {@code daily.info} and one harmless
 * signature), which clamd loads without Talos' signature and names in its VERSION answer like the
 * official one: {@code ClamAV 1.4.6/<version>/<built>}.
 */
public final class TestSignatures {
  private TestSignatures() {}

  /**
   * Writes the database into {@code databaseFolder} (the clamd's DatabaseDirectory) and has clamd
   * reload it, returning once clamd answers VERSION with it.
   */
  public static void installDated(
      Path databaseFolder, String host, int port, long version, Instant builtAt)
      throws IOException, InterruptedException {
    byte[] signatures =
        ("Attachments.Test.Dated-"
                + version
                + ":0:*:"
                + HexFormat.of()
                    .formatHex(("dated signatures " + version).getBytes(StandardCharsets.US_ASCII))
                + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    String header =
        String.join(
            ":",
            "ClamAV-VDB",
            DateTimeFormatter.ofPattern("dd MMM yyyy HH-mm Z", Locale.ROOT)
                .format(builtAt.atOffset(ZoneOffset.UTC)),
            Long.toString(version),
            "1", // signatures
            "90", // functionality level
            "unchecked", // md5 and digital signature: an unsigned database carries none
            "unsigned",
            "attachments-tests",
            Long.toString(builtAt.getEpochSecond()));
    byte[] info =
        (header + "\ndaily.ndb:" + signatures.length + ":" + sha256(signatures) + "\n")
            .getBytes(StandardCharsets.US_ASCII);

    ByteArrayOutputStream database = new ByteArrayOutputStream();
    database.write(String.format("%-512s", header).getBytes(StandardCharsets.US_ASCII));
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(database))) {
      add(tar, "daily.info", info);
      add(tar, "daily.ndb", signatures);
    }
    Path written = Files.write(databaseFolder.resolve("daily.cud.new"), database.toByteArray());
    Files.move(
        written,
        databaseFolder.resolve("daily.cud"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    reload(host, port);
    ClamdClient clamd =
        new ClamdClient(host, port, Duration.ofSeconds(2), Duration.ofSeconds(5), 1024);
    Instant deadline = Instant.now().plusSeconds(60);
    while (!clamd.version().contains("/" + version + "/")) {
      if (Instant.now().isAfter(deadline)) {
        throw new IOException(
            "clamd did not load database " + version + ": it says " + clamd.version());
      }
      Thread.sleep(100);
    }
  }

  /**
   * Adds a signature that finds {@code pattern} anywhere in a file, and returns once clamd finds
   * it.
   *
   * @param name what clamd reports, e.g. {@code Attachments.Test.Collision}
   */
  public static void add(Path databaseFolder, String host, int port, String name, byte[] pattern)
      throws IOException, InterruptedException {
    Files.writeString(
        databaseFolder.resolve(name + ".ndb"),
        name + ":0:*:" + HexFormat.of().formatHex(pattern) + "\n");
    reload(host, port);
    ClamdClient clamd =
        new ClamdClient(host, port, Duration.ofSeconds(2), Duration.ofSeconds(5), 1024);
    Instant deadline = Instant.now().plusSeconds(60);
    while (!clamd.scan(new java.io.ByteArrayInputStream(pattern), sent -> {}).isFound()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IOException("clamd did not load signature " + name);
      }
      Thread.sleep(100);
    }
  }

  private static void add(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static void reload(String host, int port) throws IOException {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("zRELOAD\0".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = new String(socket.getInputStream().readNBytes(10), StandardCharsets.US_ASCII);
      if (!reply.startsWith("RELOADING")) {
        throw new IOException("clamd answered RELOAD with '" + reply + "'");
      }
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
