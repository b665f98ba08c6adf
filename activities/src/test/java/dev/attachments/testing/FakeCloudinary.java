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
 * A local stand-in for Cloudinary's upload API, checking what the real one checks: the API key, the
 * request signature (SHA-1 of the sorted signed parameters and the secret), the timestamp's age; it
 * fetches the file URL it is given, refuses what is not an image, and can answer 420 (rate limited)
 * like the real service. It keeps the assets it made, which its destroy endpoint deletes.
 */
public final class FakeCloudinary implements AutoCloseable {
  private static final Set<String> UNSIGNED =
      Set.of("file", "api_key", "resource_type", "cloud_name", "signature");

  private final HttpServer server;
  private final String cloud;
  private final String apiKey;
  private final String apiSecret;
  private final HttpClient http = HttpClient.newHttpClient();

  /** Every upload request's parameters, accepted or not. */
  public final List<Map<String, String>> uploads = new CopyOnWriteArrayList<>();

  /** The assets uploaded and not destroyed, as {@code resourceType/publicId}. */
  public final Set<String> assets = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Every accepted destroy request, as {@code resourceType/publicId} and whether it invalidated.
   */
  public final List<String> destroyed = new CopyOnWriteArrayList<>();

  /** How many coming uploads answer 420 before they are served again. */
  public final AtomicInteger rateLimitNext = new AtomicInteger();

  public FakeCloudinary(String cloud, String apiKey, String apiSecret) throws IOException {
    this.cloud = cloud;
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1_1/" + cloud + "/", this::serve);
    server.start();
  }

  /** The CLOUDINARY_URL that points the real SDK at this server. */
  public String url() {
    return "cloudinary://"
        + apiKey
        + ":"
        + apiSecret
        + "@"
        + cloud
        + "?upload_prefix="
        + endpoint();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!exchange.getRequestMethod().equals("POST")
          || !(path.endsWith("/upload") || path.endsWith("/destroy"))) {
        answer(exchange, 404, error("Resource not found"));
        return;
      }
      Map<String, String> params =
          form(
              exchange.getRequestHeaders().getFirst("Content-Type"),
              exchange.getRequestBody().readAllBytes());
      if (path.endsWith("/destroy")) {
        if (!refused(exchange, params)) {
          destroy(exchange, path, params);
        }
        return;
      }
      uploads.add(params);
      if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        answer(exchange, 420, error("Rate Limit Exceeded"));
        return;
      }
      if (!refused(exchange, params)) {
        upload(exchange, path, params);
      }
    }
  }

  /** Answers 401 or 400 as Cloudinary does to a request not signed with the key's secret. */
  private boolean refused(HttpExchange exchange, Map<String, String> params) throws IOException {
    if (!apiKey.equals(params.get("api_key"))) {
      answer(exchange, 401, error("Invalid api_key " + params.get("api_key")));
      return true;
    }
    String expected = sign(params);
    if (!expected.equals(params.get("signature"))) {
      answer(
          exchange,
          401,
          error(
              "Invalid Signature "
                  + params.get("signature")
                  + ". String to sign - '"
                  + toSign(params)
                  + "'."));
      return true;
    }
    long timestamp = Long.parseLong(params.getOrDefault("timestamp", "0"));
    if (Math.abs(System.currentTimeMillis() / 1000 - timestamp) > 3600) {
      answer(exchange, 400, error("Stale request - reported time is " + timestamp));
      return true;
    }
    return false;
  }

  /** Like Cloudinary's destroy: {"result":"ok"}, or "not found" for an asset there is not. */
  private void destroy(HttpExchange exchange, String path, Map<String, String> params)
      throws IOException {
    String resourceType =
        path.substring(("/v1_1/" + cloud + "/").length(), path.lastIndexOf("/destroy"));
    String asset = resourceType + "/" + params.get("public_id");
    boolean found = assets.remove(asset);
    destroyed.add(asset + ("true".equals(params.get("invalidate")) ? " invalidated" : ""));
    answer(exchange, 200, "{\"result\":\"" + (found ? "ok" : "not found") + "\"}");
  }

  private void upload(HttpExchange exchange, String path, Map<String, String> params)
      throws IOException {
    String file = params.get("file");
    HttpResponse<byte[]> fetched;
    try {
      fetched =
          http.send(
              HttpRequest.newBuilder(URI.create(file)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
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
    String resourceType =
        path.substring(("/v1_1/" + cloud + "/").length(), path.lastIndexOf("/upload"));
    byte[] body = fetched.body();
    String publicId = params.get("public_id");
    String eager = params.getOrDefault("eager", "");
    StringBuilder answer =
        new StringBuilder(
            "{\"public_id\":\""
                + publicId
                + "\",\"version\":1700000000,"
                + "\"resource_type\":\""
                + resourceType
                + "\",\"bytes\":"
                + body.length);
    if (resourceType.equals("image")) {
      if (startsWith(body, "%PDF")) {
        try (org.apache.pdfbox.pdmodel.PDDocument pdf = org.apache.pdfbox.Loader.loadPDF(body)) {
          answer.append(",\"format\":\"pdf\",\"pages\":").append(pdf.getNumberOfPages());
        } catch (IOException e) {
          answer(exchange, 400, error("Invalid PDF file"));
          return;
        }
      } else {
        BufferedImage image;
        try {
          image = ImageIO.read(new ByteArrayInputStream(body));
        } catch (IOException unreadable) {
          image = null; // a PNG signature before anything a decoder reads
        }
        if (image == null) {
          answer(exchange, 400, error("Invalid image file"));
          return;
        }
        answer
            .append(",\"format\":\"png\",\"width\":")
            .append(image.getWidth())
            .append(",\"height\":")
            .append(image.getHeight());
      }
    } else if (resourceType.equals("video")) {
      boolean media =
          (body.length > 8 && new String(body, 4, 4, StandardCharsets.US_ASCII).equals("ftyp"))
              || startsWith(body, "ID3")
              || startsWith(body, "RIFF")
              || startsWith(body, "OggS")
              || startsWith(body, "fLaC");
      if (!media) {
        answer(exchange, 400, error("Invalid video file"));
        return;
      }
    } else {
      answer(exchange, 400, error("Invalid resource type " + resourceType));
      return;
    }
    String base = "https://res.cloudinary.com/" + cloud + "/" + resourceType + "/upload/";
    List<String> derivatives = eager.isEmpty() ? List.of() : List.of(eager.split("\\|"));
    boolean async = "true".equals(params.get("eager_async"));
    answer
        .append(",\"secure_url\":\"")
        .append(base)
        .append("v1700000000/")
        .append(publicId)
        .append("\"");
    answer.append(",\"eager\":[");
    for (int i = 0; i < derivatives.size(); i++) {
      answer
          .append(i == 0 ? "" : ",")
          .append("{\"transformation\":\"")
          .append(derivatives.get(i))
          .append("\"")
          .append(
              async
                  ? ",\"status\":\"processing\""
                  : ",\"secure_url\":\""
                      + base
                      + derivatives.get(i)
                      + "/v1700000000/"
                      + publicId
                      + "\"")
          .append("}");
    }
    answer.append("]}");
    assets.add(resourceType + "/" + publicId);
    answer(exchange, 200, answer.toString());
    if (async) {
      notifyLater(params.get("eager_notification_url"), publicId, resourceType, derivatives);
    }
  }

  private static boolean startsWith(byte[] body, String prefix) {
    return body.length >= prefix.length()
        && new String(body, 0, prefix.length(), StandardCharsets.ISO_8859_1).equals(prefix);
  }

  /**
   * How the next asynchronous derivatives end: null for done, else the failure reason Cloudinary
   * gives.
   */
  public volatile String asyncFailure;

  /** Every notification sent, as its body. */
  public final List<String> notifications = new CopyOnWriteArrayList<>();

  /** Like Cloudinary: a moment later, POSTs the eager notification, signed with the API secret. */
  private void notifyLater(
      String url, String publicId, String resourceType, List<String> derivatives) {
    String failure = asyncFailure;
    Thread notifier =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
                StringBuilder body =
                    new StringBuilder(
                        "{\"notification_type\":\"eager\",\"public_id\":\""
                            + publicId
                            + "\",\"resource_type\":\""
                            + resourceType
                            + "\",\"eager\":[");
                for (int i = 0; i < derivatives.size(); i++) {
                  body.append(i == 0 ? "" : ",")
                      .append("{\"transformation\":\"")
                      .append(derivatives.get(i))
                      .append("\"")
                      .append(
                          failure == null
                              ? ",\"status\":\"complete\""
                              : ",\"status\":\"failed\",\"reason\":\"" + failure + "\"")
                      .append("}");
                }
                body.append("]}");
                String timestamp = Long.toString(System.currentTimeMillis() / 1000);
                String signature =
                    HexFormat.of()
                        .formatHex(
                            MessageDigest.getInstance("SHA-1")
                                .digest(
                                    (body + timestamp + apiSecret)
                                        .getBytes(StandardCharsets.UTF_8)));
                notifications.add(body.toString());
                http.send(
                    HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("X-Cld-Timestamp", timestamp)
                        .header("X-Cld-Signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                    HttpResponse.BodyHandlers.discarding());
              } catch (Exception e) {
                notifications.add("not delivered: " + e);
              }
            },
            "cloudinary-notification");
    notifier.setDaemon(true);
    notifier.start();
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
          MessageDigest.getInstance("SHA-1")
              .digest((toSign(params) + apiSecret).getBytes(StandardCharsets.UTF_8));
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
          fields.put(
              name.group(1),
              value.endsWith("\r\n") ? value.substring(0, value.length() - 2) : value);
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
