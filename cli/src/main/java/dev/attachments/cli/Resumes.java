package dev.attachments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Which attachment each file being uploaded became, kept on disk until its upload completes, so
 * that a run stopped by a crash or Ctrl-C resumes from the parts the server holds. A file is known
 * by its path, size and modification time on one API: a changed file starts over.
 */
final class Resumes {
  private final Path folder;

  Resumes(Path folder) {
    this.folder = folder;
  }

  static Resumes inUserCache() {
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base =
        cache == null || cache.isBlank()
            ? Path.of(System.getProperty("user.home"), ".cache")
            : Path.of(cache);
    return new Resumes(base.resolve("attachments").resolve("cli-uploads"));
  }

  Optional<String> attachmentOf(String api, Path file) throws IOException {
    Path entry = entry(api, file);
    if (!Files.exists(entry)) {
      return Optional.empty();
    }
    return Optional.ofNullable(Api.JSON.readTree(entry.toFile()).path("id").asText(null));
  }

  void remember(String api, Path file, String id) throws IOException {
    Files.createDirectories(folder);
    ObjectNode record = Api.JSON.createObjectNode();
    record.put("id", id);
    record.put("file", file.toAbsolutePath().toString());
    record.put("api", api);
    Path entry = entry(api, file);
    Path written = Files.createTempFile(folder, "upload", ".tmp");
    Api.JSON.writeValue(written.toFile(), record);
    Files.move(written, entry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  void forget(String api, Path file) throws IOException {
    Files.deleteIfExists(entry(api, file));
  }

  private Path entry(String api, Path file) throws IOException {
    String identity =
        api
            + "\n"
            + file.toAbsolutePath().normalize()
            + "\n"
            + Files.size(file)
            + "\n"
            + Files.getLastModifiedTime(file).toMillis();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return folder.resolve(HexFormat.of().formatHex(digest, 0, 16) + ".json");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
