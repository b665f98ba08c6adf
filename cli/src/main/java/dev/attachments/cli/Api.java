package dev.attachments.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The Attachments API over HTTP, with an API key or an upload token as the Bearer credential. */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final URI base;
  private final String credential;

  Api(URI base, String credential) {
    this.base = base;
    this.credential = credential;
  }

  HttpClient http() {
    return http;
  }

  /** What the API refused, in its own words (the problem's detail). */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String detail) {
      super(detail);
      this.status = status;
    }
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send("POST", path, body == null ? null : JSON.writeValueAsString(body));
  }

  JsonNode delete(String path) throws IOException, InterruptedException {
    return send("DELETE", path, null);
  }

  private JsonNode send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + credential)
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
    JsonNode answer = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    if (response.statusCode() >= 400) {
      String detail =
          answer.hasNonNull("detail") ? answer.get("detail").asText() : response.body().strip();
      throw new Refused(response.statusCode(), response.statusCode() + " " + detail);
    }
    return answer;
  }
}
