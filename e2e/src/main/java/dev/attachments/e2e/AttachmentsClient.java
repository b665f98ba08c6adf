package dev.attachments.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * What an API client does, over plain HTTP: create an upload, PUT the bytes to S3, complete, read,
 * download.
 */
public final class AttachmentsClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI api;
  private final String key;

  public AttachmentsClient(URI api, String key) {
    this.api = api;
    this.key = key;
  }

  /** A JSON answer with its status. */
  public record Answer(int status, JsonNode body) {}

  public Answer call(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(api.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body()));
  }

  /** Creates an attachment; answers the 201 body with its upload instructions. */
  public JsonNode create(String filename, String contentType, long size)
      throws IOException, InterruptedException {
    return create(filename, contentType, size, null);
  }

  /**
   * @param sha256 the declared digest in hex, or null
   */
  public JsonNode create(String filename, String contentType, long size, String sha256)
      throws IOException, InterruptedException {
    ObjectNode body =
        JSON.createObjectNode()
            .put("filename", filename)
            .put("contentType", contentType)
            .put("size", size);
    if (sha256 != null) {
      body.put("sha256", sha256);
    }
    Answer answer = call("POST", "/v1/attachments", body.toString());
    if (answer.status() != 201) {
      throw new IOException("create answered " + answer.status() + ": " + answer.body());
    }
    return answer.body();
  }

  /** PUTs the bytes straight to S3 with exactly the headers the API signed; answers S3's status. */
  public int upload(JsonNode created, byte[] content) throws IOException, InterruptedException {
    return upload(created, content, Map.of());
  }

  /** The same PUT with headers nobody signed added, as a client may send them. */
  public int upload(JsonNode created, byte[] content, Map<String, String> unsigned)
      throws IOException, InterruptedException {
    JsonNode upload = created.get("upload");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(upload.get("url").asText()))
            .timeout(Duration.ofMinutes(5))
            // as S3's SDKs do: a refusal (an expired URL, a second PUT) is answered before the
            // body is sent, instead of a server closing the connection on a body it will not read
            .expectContinue(true)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
    Iterator<Map.Entry<String, JsonNode>> headers = upload.get("headers").fields();
    while (headers.hasNext()) {
      Map.Entry<String, JsonNode> header = headers.next();
      // the HTTP client sets Content-Length from the body itself
      if (!header.getKey().equalsIgnoreCase("content-length")) {
        request.header(header.getKey(), header.getValue().asText());
      }
    }
    unsigned.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Presigned PUTs for these parts of a multipart upload. */
  public JsonNode presignParts(String id, List<Integer> partNumbers)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    partNumbers.forEach(body.putArray("partNumbers")::add);
    Answer answer = call("POST", "/v1/attachments/" + id + "/parts", body.toString());
    if (answer.status() != 200) {
      throw new IOException("presigning parts answered " + answer.status() + ": " + answer.body());
    }
    return answer.body().get("parts");
  }

  /** Part number to ETag of the parts S3 holds now. */
  public Map<Integer, String> storedParts(String id) throws IOException, InterruptedException {
    Answer answer = call("GET", "/v1/attachments/" + id + "/parts", null);
    if (answer.status() != 200) {
      throw new IOException("listing parts answered " + answer.status() + ": " + answer.body());
    }
    Map<Integer, String> etags = new TreeMap<>();
    answer
        .body()
        .get("parts")
        .forEach(p -> etags.put(p.get("partNumber").asInt(), p.get("etag").asText()));
    return etags;
  }

  /** PUTs one part straight to S3; answers the ETag S3 gave it. */
  public String uploadPart(JsonNode part, byte[] content, int offset, int length)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(part.get("url").asText()))
            .timeout(Duration.ofMinutes(5))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content, offset, length));
    HttpResponse<Void> response =
        http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() != 200) {
      throw new IOException(
          "part " + part.get("partNumber") + " answered " + response.statusCode());
    }
    return response.headers().firstValue("ETag").orElseThrow();
  }

  /**
   * Uploads these parts of {@code content} straight to S3, {@code threads} at a time; answers part
   * number to ETag.
   */
  public Map<Integer, String> uploadParts(
      String id, byte[] content, long partSize, List<Integer> numbers, int threads)
      throws IOException, InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Map<Integer, Future<String>> pending = new TreeMap<>();
      for (JsonNode part : presignParts(id, numbers)) {
        int number = part.get("partNumber").asInt();
        int offset = (int) ((number - 1) * partSize);
        int length = (int) Math.min(partSize, content.length - offset);
        pending.put(number, pool.submit(() -> uploadPart(part, content, offset, length)));
      }
      Map<Integer, String> etags = new TreeMap<>();
      for (Map.Entry<Integer, Future<String>> part : pending.entrySet()) {
        etags.put(part.getKey(), part.getValue().get());
      }
      return etags;
    } catch (ExecutionException e) {
      throw new IOException("a part upload failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Completes a multipart upload with these part numbers and ETags. */
  public Answer completeParts(String id, Map<Integer, String> etags)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode parts = body.putArray("parts");
    etags.forEach((number, etag) -> parts.addObject().put("partNumber", number).put("etag", etag));
    return call("POST", "/v1/attachments/" + id + "/complete", body.toString());
  }

  public Answer complete(String id) throws IOException, InterruptedException {
    return call("POST", "/v1/attachments/" + id + "/complete", null);
  }

  public Answer get(String id) throws IOException, InterruptedException {
    return call("GET", "/v1/attachments/" + id, null);
  }

  /** Polls until the attachment reaches one of {@code statuses}; answers it. */
  public JsonNode awaitStatus(String id, Set<String> statuses, Duration timeout)
      throws IOException, InterruptedException {
    return await(
        id, a -> statuses.contains(a.path("status").asText()), "one of " + statuses, timeout);
  }

  /**
   * Polls until the attachment's preview step has settled (READY, FAILED, UNSUPPORTED,
   * NOT_CONFIGURED).
   */
  public JsonNode awaitPreview(String id, Duration timeout)
      throws IOException, InterruptedException {
    return await(
        id,
        a ->
            a.path("preview").hasNonNull("status")
                && !a.path("preview").path("status").asText().equals("PENDING"),
        "a settled preview",
        timeout);
  }

  private JsonNode await(String id, Predicate<JsonNode> reached, String what, Duration timeout)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    JsonNode attachment = get(id).body();
    while (!reached.test(attachment)) {
      if (Instant.now().isAfter(deadline)) {
        throw new IOException(
            "attachment "
                + id
                + " did not reach "
                + what
                + " within "
                + timeout
                + ": "
                + attachment);
      }
      Thread.sleep(50);
      attachment = get(id).body();
    }
    return attachment;
  }

  /** Follows the presigned download URL; answers the response with its bytes. */
  public HttpResponse<byte[]> fetch(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
