package dev.attachments.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * A local stand-in for Cloudinary's upload API, checking what the real one checks: the API key, the request
 * signature (SHA-1 of the sorted signed parameters and the secret), the timestamp's age; it fetches the file URL
 * it is given, refuses what is not an image, and can answer 420 (rate limited) like the real service.
 */
public final class FakeCloudinary implements AutoCloseable {
  private static final Set<String> UNSIGNED = Set.of("file", "api_key", "resource_type", "cloud_name", "signature");

  private final HttpServer server;
  private final String cloud;
  private final String apiKey;
  private final String apiSecret;
  private final HttpClient http = HttpClient.newHttpClient();

  /** Every upload request's parameters, accepted or not. */
  public final List<Map<String, String>> uploads = new CopyOnWriteArrayList<>();
  /** How many coming uploads answer 420 before they are served again. */
  public final AtomicInteger rateLimitNext = new AtomicInteger();

  public FakeCloudinary(String cloud, String apiKey, String apiSecret) throws IOException {
    this.cloud = cloud;
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1_1/" + cloud + "/", this::upload);
    server.start();
  }

  /** The CLOUDINARY_URL that points the real SDK at this server. */
  public String url() {
    return "cloudinary://" + apiKey + ":" + apiSecret + "@" + cloud + "?upload_prefix=" + endpoint();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void upload(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().endsWith("/upload")) {
        answer(exchange, 404, error("Resource not found"));
        return;
      }
      Map<String, String> params =
          form(exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes());
      uploads.add(params);
      if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        answer(exchange, 420, error("Rate Limit Exceeded"));
        return;
      }
      if (!apiKey.equals(params.get("api_key"))) {
        answer(exchange, 401, error("Invalid api_key " + params.get("api_key")));
        return;
      }
      String expected = sign(params);
      if (!expected.equals(params.get("signature"))) {
        answer(exchange, 401, error("Invalid Signature " + params.get("signature") + ". String to sign - '" + toSign(params) + "'."));
        return;
      }
      long timestamp = Long.parseLong(params.getOrDefault("timestamp", "0"));
      if (Math.abs(System.currentTimeMillis() / 1000 - timestamp) > 3600) {
        answer(exchange, 400, error("Stale request - reported time is " + timestamp));
        return;
      }
      String file = params.get("file");
      HttpResponse<byte[]> fetched;
      try {
        fetched = http.send(HttpRequest.newBuilder(URI.create(file)).build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException | IllegalArgumentException e) {
        answer(exchange, 400, error("Error in loading " + file + " - " + e.getMessage()));
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer(exchange, 500, error("interrupted"));
        return;
      }
      if (fetched.statusCode() != 200) {
        answer(exchange, 400, error("Error in loading " + file + " - " + fetched.statusCode()));
        return;
      }
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(fetched.body()));
      if (image == null) {
        answer(exchange, 400, error("Invalid image file"));
        return;
      }
      String publicId = params.get("public_id");
      String base = "https://res.cloudinary.com/" + cloud + "/image/upload/";
      String eager = params.getOrDefault("eager", "");
      answer(
          exchange,
          200,
          "{\"public_id\":\"" + publicId + "\",\"version\":1700000000,\"format\":\"png\",\"resource_type\":\"image\","
              + "\"width\":" + image.getWidth() + ",\"height\":" + image.getHeight() + ",\"bytes\":" + fetched.body().length
              + ",\"secure_url\":\"" + base + "v1700000000/" + publicId + ".png\","
              + "\"eager\":[{\"transformation\":\"" + eager + "\",\"secure_url\":\"" + base + eager
              + "/v1700000000/" + publicId + ".png\"}]}");
    }
  }

  private String toSign(Map<String, String> params) {
    return new TreeMap<>(params)
        .entrySet().stream()
            .filter(e -> !UNSIGNED.contains(e.getKey()) && !e.getValue().isEmpty())
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("&"));
  }

  private String sign(Map<String, String> params) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest((toSign(params) + apiSecret).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String error(String message) {
    return "{\"error\":{\"message\":\"" + message.replace("\"", "'") + "\"}}";
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  /** The form fields of a multipart/form-data or urlencoded body. */
  static Map<String, String> form(String contentType, byte[] body) {
    Map<String, String> fields = new TreeMap<>();
    String text = new String(body, StandardCharsets.UTF_8);
    if (contentType != null && contentType.startsWith("multipart/form-data")) {
      Matcher boundary = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
      if (!boundary.find()) {
        return fields;
      }
      for (String part : text.split("--" + Pattern.quote(boundary.group(1)))) {
        int headerEnd = part.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
          continue;
        }
        Matcher name = Pattern.compile("name=\"([^\"]+)\"").matcher(part.substring(0, headerEnd));
        if (name.find()) {
          String value = part.substring(headerEnd + 4);
          fields.put(name.group(1), value.endsWith("\r\n") ? value.substring(0, value.length() - 2) : value);
        }
      }
    } else {
      for (String pair : text.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          fields.put(
              java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return fields;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
