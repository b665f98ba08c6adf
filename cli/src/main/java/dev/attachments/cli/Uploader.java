package dev.attachments.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Uploads one file as the API says: one presigned PUT, or its parts in parallel. Each part that
 * fails is sent again on a fresh URL (3 tries); a file whose earlier run stopped resumes with the
 * parts the server already holds.
 */
final class Uploader {
  private static final int TRIES = 3;
  private static final int PRESIGN_BATCH = 1000;
  private static final Set<String> NOT_SENT = Set.of("content-length", "host");

  private final Api api;
  private final String apiUrl;
  private final Resumes resumes;
  private final int parallel;
  private final long bytesPerSecond;
  private final boolean terminal;

  Uploader(
      Api api,
      String apiUrl,
      Resumes resumes,
      int parallel,
      long bytesPerSecond,
      boolean terminal) {
    this.api = api;
    this.apiUrl = apiUrl;
    this.resumes = resumes;
    this.parallel = parallel;
    this.bytesPerSecond = bytesPerSecond;
    this.terminal = terminal;
  }

  /** Uploads and completes the file; answers its attachment's id. */
  String upload(Path file, String contentType) throws Exception {
    long size = java.nio.file.Files.size(file);
    String id = resumable(file);
    JsonNode upload;
    if (id == null) {
      JsonNode created =
          api.post(
              "/v1/attachments",
              Map.of(
                  "filename", file.getFileName().toString(),
                  "contentType", contentType,
                  "size", size));
      id = created.get("id").asText();
      resumes.remember(apiUrl, file, id);
      upload = created.get("upload");
    } else {
      JsonNode attachment = api.get("/v1/attachments/" + id);
      if (!"AWAITING_UPLOAD".equals(attachment.get("status").asText())) {
        resumes.forget(apiUrl, file);
        return id; // completed by the run that stopped
      }
      System.err.println(file.getFileName() + ": resuming upload " + id);
      upload = api.post("/v1/attachments/" + id + "/upload", null);
    }
    if (upload == null || upload.isNull()) {
      resumes.forget(apiUrl, file);
      return id;
    }
    if ("single".equals(upload.get("mode").asText())) {
      Progress progress =
          new Progress(System.err, file.getFileName().toString(), size, 0, terminal);
      put(URI.create(upload.get("url").asText()), headers(upload), file, 0, size, progress);
      progress.draw(true);
      api.post("/v1/attachments/" + id + "/complete", Map.of());
    } else {
      List<Map<String, Object>> parts = uploadParts(id, file, size, upload);
      api.post("/v1/attachments/" + id + "/complete", Map.of("parts", parts));
    }
    resumes.forget(apiUrl, file);
    return id;
  }

  private String resumable(Path file) throws IOException, InterruptedException {
    String id = resumes.attachmentOf(apiUrl, file).orElse(null);
    if (id == null) {
      return null;
    }
    try {
      api.get("/v1/attachments/" + id);
      return id;
    } catch (Api.Refused gone) {
      // another key, or the attachment expired and is gone: start over
      resumes.forget(apiUrl, file);
      return null;
    }
  }

  private List<Map<String, Object>> uploadParts(String id, Path file, long size, JsonNode upload)
      throws Exception {
    long partSize = upload.get("partSize").asLong();
    int partCount = upload.get("partCount").asInt();
    Map<Integer, String> etags = new TreeMap<>();
    long stored = 0;
    for (JsonNode part : api.get("/v1/attachments/" + id + "/parts").get("parts")) {
      int number = part.get("partNumber").asInt();
      if (part.get("size").asLong() == length(number, partSize, partCount, size)) {
        etags.put(number, part.get("etag").asText());
        stored += part.get("size").asLong();
      }
    }
    if (!etags.isEmpty()) {
      System.err.println(
          file.getFileName() + ": " + etags.size() + " of " + partCount + " parts already stored");
    }
    List<Integer> missing = new ArrayList<>();
    for (int number = 1; number <= partCount; number++) {
      if (!etags.containsKey(number)) {
        missing.add(number);
      }
    }
    Progress progress =
        new Progress(System.err, file.getFileName().toString(), size, stored, terminal);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      for (int from = 0; from < missing.size(); from += PRESIGN_BATCH) {
        List<Integer> batch = missing.subList(from, Math.min(missing.size(), from + PRESIGN_BATCH));
        Map<Integer, JsonNode> urls = presign(id, batch);
        Map<Integer, Future<String>> sent = new TreeMap<>();
        for (int number : batch) {
          long offset = (number - 1) * partSize;
          long length = length(number, partSize, partCount, size);
          JsonNode first = urls.get(number);
          sent.put(
              number,
              pool.submit(() -> sendPart(id, number, first, file, offset, length, progress)));
        }
        for (Map.Entry<Integer, Future<String>> part : sent.entrySet()) {
          etags.put(part.getKey(), unwrap(part.getValue()));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    progress.draw(true);
    List<Map<String, Object>> parts = new ArrayList<>();
    etags.forEach((number, etag) -> parts.add(Map.of("partNumber", number, "etag", etag)));
    return parts;
  }

  private String sendPart(
      String id, int number, JsonNode url, Path file, long offset, long length, Progress progress)
      throws Exception {
    JsonNode part = url;
    for (int attempt = 1; ; attempt++) {
      try {
        return put(
            URI.create(part.get("url").asText()), headers(part), file, offset, length, progress);
      } catch (IOException | Api.Refused failed) {
        if (attempt == TRIES) {
          throw failed;
        }
        Thread.sleep(500L * attempt);
        part = presign(id, List.of(number)).get(number);
      }
    }
  }

  private Map<Integer, JsonNode> presign(String id, List<Integer> numbers)
      throws IOException, InterruptedException {
    JsonNode answer = api.post("/v1/attachments/" + id + "/parts", Map.of("partNumbers", numbers));
    Map<Integer, JsonNode> urls = new TreeMap<>();
    answer.get("parts").forEach(p -> urls.put(p.get("partNumber").asInt(), p));
    return urls;
  }

  /** PUTs a range of the file with exactly the given headers; answers S3's ETag. */
  private String put(
      URI url, Map<String, String> headers, Path file, long offset, long length, Progress progress)
      throws IOException, InterruptedException {
    long[] counted = {0};
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(60).plusMillis(length / 1024))
            .PUT(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> range(file, offset, length, progress, counted)),
                    length));
    headers.forEach(request::header);
    HttpResponse<String> response;
    try {
      response = api.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      progress.takeBack(counted[0]);
      throw e;
    }
    if (response.statusCode() != 200) {
      progress.takeBack(counted[0]);
      throw new Api.Refused(response.statusCode(), "S3 answered " + response.statusCode());
    }
    return response.headers().firstValue("ETag").orElseThrow();
  }

  private InputStream range(
      Path file, long offset, long length, Progress progress, long[] counted) {
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(offset);
      InputStream in = Channels.newInputStream(channel);
      long started = System.nanoTime();
      return new FilterInputStream(in) {
        private long left = length;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int from, int most) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int read = super.read(buffer, from, (int) Math.min(most, Math.min(left, 64 * 1024)));
          if (read > 0) {
            left -= read;
            counted[0] += read;
            progress.add(read);
            pace(started, counted[0]);
          }
          return read;
        }
      };
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** With --limit-rate, sleeps until this part's bytes so far fit the rate. */
  private void pace(long started, long bytes) throws InterruptedIOException {
    if (bytesPerSecond <= 0) {
      return;
    }
    long due = started + bytes * 1_000_000_000L / (bytesPerSecond / parallel + 1);
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("stopped");
      }
    }
  }

  private static Map<String, String> headers(JsonNode upload) {
    Map<String, String> headers = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = upload.path("headers").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> header = fields.next();
      if (!NOT_SENT.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
        headers.put(header.getKey(), header.getValue().asText());
      }
    }
    return headers;
  }

  private static long length(int number, long partSize, int partCount, long size) {
    return number < partCount ? partSize : size - (partCount - 1) * partSize;
  }

  private static String unwrap(Future<String> sent) throws Exception {
    try {
      return sent.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
