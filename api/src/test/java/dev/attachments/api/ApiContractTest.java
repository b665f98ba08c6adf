package dev.attachments.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.FreezableProxy;
import dev.attachments.stack.LocalPostgres;
import dev.attachments.stack.LocalS3;
import dev.attachments.stack.LocalTemporal;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract against a real S3 (s3proxy), PostgreSQL and Temporal server; no worker runs
 * here.
 */
class ApiContractTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final AccessKeys.Minted GLOBEX = AccessKeys.mint("globex");
  private static final AccessKeys.Minted ALICE = AccessKeys.mint("alice");
  private static final String ACME_KEY = ACME.key();
  private static final String GLOBEX_KEY = GLOBEX.key();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLOUDINARY_SECRET = "cld-secret";
  private static final String OPS_KEY = ALICE.key();
  private static final long MULTIPART_THRESHOLD = 10L * 1024 * 1024;
  private static final int MIB = 1024 * 1024;
  private static final String SHOP = "https://shop.example";

  private static LocalTemporal temporal;
  private static LocalS3 s3;
  private static LocalPostgres postgres;
  private static EmbeddedServer server;
  private static WorkflowServiceStubs temporalService;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    temporal = LocalTemporal.start();
    s3 =
        LocalS3.start(
            Files.createTempDirectory("s3"),
            "access",
            "secret",
            List.of("attachments-incoming", "attachments-released", "attachments-quarantine"));
    postgres = LocalPostgres.start(Files.createTempDirectory("pg").resolve("data"));
    server = startApi("");
    temporalService =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
  }

  /** The attachment's workflow as the Temporal server describes it. */
  private static io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse describe(
      String attachmentId) {
    return temporalService
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace("default")
                .setExecution(
                    WorkflowExecution.newBuilder().setWorkflowId("attachment-" + attachmentId))
                .build());
  }

  private static EmbeddedServer startApi(String moreKeys) {
    return ApplicationContext.run(
        EmbeddedServer.class,
        minimalSettings(
            "attachments.keys.api",
            ACME.entry() + "," + GLOBEX.entry() + moreKeys,
            "attachments.uploads.max-size",
            100_000_000L,
            "attachments.uploads.multipart-threshold",
            MULTIPART_THRESHOLD,
            "attachments.cloudinary.url",
            "cloudinary://123:" + CLOUDINARY_SECRET + "@demo",
            "attachments.keys.ops",
            ALICE.entry(),
            "micronaut.server.cors.configurations.browsers.allowed-origins",
            List.of(SHOP)));
  }

  @AfterAll
  static void stop() throws Exception {
    temporalService.shutdown();
    server.close();
    postgres.close();
    s3.close();
    temporal.close();
  }

  private static HttpResponse<String> call(
      String method, String path, String key, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.getURI().resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private static void assertProblem(HttpResponse<String> response, int status, String detailPart)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = json(response);
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("title").asText()).isNotBlank();
    assertThat(problem.get("type").asText()).isNotBlank();
    assertThat(problem.get("detail").asText()).containsIgnoringCase(detailPart);
    assertThat(problem.get("requestId").asText())
        .as("what a client quotes to an operator")
        .isNotBlank()
        .isEqualTo(response.headers().firstValue(RequestIds.HEADER).orElse(null));
  }

  /**
   * A client's own request id is kept when it is a plain token, so that its logs and ours meet;
   * anything else (a line break that would forge a log line, a novel) is replaced by one of ours.
   */
  @Test
  void aClientsRequestIdIsKeptOnlyWhenItIsAPlainToken() throws Exception {
    HttpResponse<String> kept =
        call(
            "GET",
            "/v1/attachments/" + java.util.UUID.randomUUID(),
            ACME_KEY,
            null,
            RequestIds.HEADER,
            "checkout-42.a_b");
    assertProblem(kept, 404, "");
    assertThat(json(kept).get("requestId").asText()).isEqualTo("checkout-42.a_b");

    for (String hostile : List.of("a b", "x".repeat(65), "id\u0085next", "\u00e9t\u00e9")) {
      HttpResponse<String> replaced =
          call("GET", "/v1/attachments", null, null, RequestIds.HEADER, hostile);
      assertProblem(replaced, 401, "");
      assertThat(json(replaced).get("requestId").asText())
          .isNotEqualTo(hostile)
          .matches("[0-9a-f]{24}");
    }
    HttpResponse<String> fine = call("GET", "/v1/attachments", ACME_KEY, null);
    assertThat(fine.statusCode()).isEqualTo(200);
    assertThat(fine.headers().firstValue(RequestIds.HEADER)).isPresent();
  }

  private static JsonNode create(String key, String filename, String type, long size, String sha256)
      throws Exception {
    String body =
        "{\"filename\":\""
            + filename
            + "\",\"contentType\":\""
            + type
            + "\",\"size\":"
            + size
            + (sha256 == null ? "" : ",\"sha256\":\"" + sha256 + "\"")
            + "}";
    HttpResponse<String> response = call("POST", "/v1/attachments", key, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return json(response);
  }

  private static int putPart(JsonNode part, byte[] content) throws Exception {
    return put(part, content, Map.of());
  }

  private static int put(JsonNode upload, byte[] content, Map<String, String> overrides)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(upload.get("url").asText()))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
    Iterator<Map.Entry<String, JsonNode>> headers = upload.get("headers").fields();
    while (headers.hasNext()) {
      Map.Entry<String, JsonNode> header = headers.next();
      if (!header.getKey().equalsIgnoreCase("content-length")) {
        request.header(
            header.getKey(), overrides.getOrDefault(header.getKey(), header.getValue().asText()));
      }
    }
    return toS3(request.build()).statusCode();
  }

  /**
   * Sends a request to s3proxy on a connection of its own. With one pooled client, a PUT once went
   * out on a kept-alive connection s3proxy had closed meanwhile ("header parser received no
   * bytes"); several tests here make S3 refuse PUTs, after which a server may drop the connection
   * without reading the body.
   */
  private static HttpResponse<Void> toS3(HttpRequest request) throws Exception {
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding());
  }

  private static String etag(JsonNode part, byte[] content) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(part.get("url").asText()))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
    HttpResponse<Void> response = toS3(request.build());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.headers().firstValue("ETag").orElseThrow();
  }

  private static JsonNode presign(String id, String partNumbers) throws Exception {
    HttpResponse<String> response =
        call(
            "POST",
            "/v1/attachments/" + id + "/parts",
            ACME_KEY,
            "{\"partNumbers\":" + partNumbers + "}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response).get("parts");
  }

  private static JsonNode mintToken(String body) throws Exception {
    HttpResponse<String> minted = call("POST", "/v1/upload-tokens", ACME_KEY, body);
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    return json(minted);
  }

  /**
   * An upload token, minted with the owner's key, creates its uploads and follows them, and can do
   * nothing else: not list, download, register webhooks, mint tokens, or read the owner's other
   * attachments.
   */
  @Test
  void anUploadTokenCreatesAndFollowsItsOwnUploadsOnly() throws Exception {
    JsonNode minted = mintToken("{\"maxUploads\":3,\"types\":[\"image/*\"],\"ttl\":600}");
    String token = minted.get("token").asText();
    assertThat(token).matches("attu_[0-9a-f]{32}_[A-Za-z0-9_-]{43}");
    assertThat(java.time.Instant.parse(minted.get("expiresAt").asText()))
        .isBetween(
            java.time.Instant.now().plusSeconds(590), java.time.Instant.now().plusSeconds(610));

    JsonNode single = create(token, "cat.png", "image/png", 1000, null);
    String id = single.get("id").asText();
    assertThat(call("GET", "/v1/attachments/" + id, token, null).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/v1/attachments/" + id + "/upload", token, null).statusCode())
        .isEqualTo(200);
    assertProblem(call("POST", "/v1/attachments/" + id + "/complete", token, "{}"), 409, "");
    JsonNode large = create(token, "poster.png", "image/png", MULTIPART_THRESHOLD * 2, null);
    String multipart = large.get("id").asText();
    assertThat(
            call("POST", "/v1/attachments/" + multipart + "/parts", token, "{\"partNumbers\":[1]}")
                .statusCode())
        .isEqualTo(200);
    assertThat(call("GET", "/v1/attachments/" + multipart + "/parts", token, null).statusCode())
        .isEqualTo(200);
    // the owner sees them as its own
    assertThat(call("GET", "/v1/attachments/" + id, ACME_KEY, null).statusCode()).isEqualTo(200);

    String owners = create(ACME_KEY, "own.png", "image/png", 10, null).get("id").asText();
    assertProblem(call("GET", "/v1/attachments/" + owners, token, null), 404, "upload token");
    assertProblem(call("POST", "/v1/attachments/" + owners + "/upload", token, null), 404, "");
    assertProblem(call("GET", "/v1/attachments/not-an-id", token, null), 404, "");
    for (String[] refused :
        new String[][] {
          {"GET", "/v1/attachments"},
          {"GET", "/v1/attachments/" + id + "/download"},
          {"GET", "/v1/webhooks"},
          {"POST", "/v1/upload-tokens"},
          {"DELETE", "/v1/attachments/" + id}
        }) {
      assertProblem(call(refused[0], refused[1], token, "{}"), 403, "upload token may");
    }
  }

  /** A token's limits hold: its number of uploads, their size and types, its lifetime. */
  @Test
  void anUploadTokenKeepsItsLimits() throws Exception {
    String token =
        mintToken("{\"maxUploads\":1,\"maxSize\":5000,\"types\":[\"application/pdf\"]}")
            .get("token")
            .asText();
    String pdf = "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"size\":100}";
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            token,
            "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"size\":5001}"),
        413,
        "at most 5000 bytes");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            token,
            "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":100}"),
        415,
        "allows application/pdf");
    HttpResponse<String> first =
        call("POST", "/v1/attachments", token, pdf, "Idempotency-Key", "k1");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    // the same create again is the same upload, not a second one
    HttpResponse<String> again =
        call("POST", "/v1/attachments", token, pdf, "Idempotency-Key", "k1");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    assertThat(json(again).get("id")).isEqualTo(json(first).get("id"));
    assertProblem(call("POST", "/v1/attachments", token, pdf), 403, "all the uploads it allows");

    // a token's idempotency keys are its own: the owner's attachment under the same key stays
    // hidden
    JsonNode owners =
        json(call("POST", "/v1/attachments", ACME_KEY, pdf, "Idempotency-Key", "shared-key"));
    String second = mintToken("{}").get("token").asText();
    JsonNode tokens =
        json(call("POST", "/v1/attachments", second, pdf, "Idempotency-Key", "shared-key"));
    assertThat(tokens.get("id")).isNotEqualTo(owners.get("id"));

    String expiring = mintToken("{}").get("token").asText();
    try (var connection =
            java.sql.DriverManager.getConnection(
                postgres.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD);
        var expire =
            connection.prepareStatement(
                "update upload_token set expires_at = now() - interval '1 second' where id = ?")) {
      expire.setObject(
          1,
          UUID.fromString(
              expiring
                  .substring(5, 37)
                  .replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5")));
      assertThat(expire.executeUpdate()).isEqualTo(1);
    }
    assertProblem(call("POST", "/v1/attachments", expiring, pdf), 401, "expired");
    String forged = second.substring(0, 38) + "A".repeat(43);
    assertProblem(call("POST", "/v1/attachments", forged, pdf), 401, "not valid");

    for (String body :
        List.of(
            "{\"maxUploads\":0}",
            "{\"maxUploads\":101}",
            "{\"maxSize\":0}",
            "{\"maxSize\":100000001}",
            "{\"types\":[\"not a type\"]}",
            "{\"ttl\":59}",
            "{\"ttl\":86401}")) {
      assertProblem(call("POST", "/v1/upload-tokens", ACME_KEY, body), 400, "");
    }
  }

  @Test
  void browsersOnAnAllowedOriginMayCallTheApiAndOthersNot() throws Exception {
    HttpResponse<String> preflight =
        call(
            "OPTIONS",
            "/v1/attachments",
            null,
            null,
            "Origin",
            SHOP,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "authorization,content-type,idempotency-key");
    assertThat(preflight.statusCode()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SHOP);
    assertThat(String.join(",", preflight.headers().allValues("Access-Control-Allow-Headers")))
        .containsIgnoringCase("authorization")
        .containsIgnoringCase("idempotency-key");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

    HttpResponse<String> listed = call("GET", "/v1/attachments", ACME_KEY, null, "Origin", SHOP);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SHOP);
    assertThat(String.join(",", listed.headers().allValues("Access-Control-Expose-Headers")))
        .containsIgnoringCase("x-request-id");

    String evil = "https://shop.example.evil.test";
    HttpResponse<String> refused =
        call(
            "OPTIONS",
            "/v1/attachments",
            null,
            null,
            "Origin",
            evil,
            "Access-Control-Request-Method",
            "POST");
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(refused.statusCode()).isBetween(400, 499);
    HttpResponse<String> read = call("GET", "/v1/attachments", ACME_KEY, null, "Origin", evil);
    assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void theOpenApiDocumentIsServedWithoutAKeyAndNamesEveryRoute() throws Exception {
    HttpResponse<String> served = call("GET", "/openapi.yml", null, null);
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("Content-Type")).hasValue("application/yaml");
    Map<String, Object> document = new org.yaml.snakeyaml.Yaml().load(served.body());
    assertThat(document.get("openapi")).isEqualTo("3.1.0");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> paths =
        (Map<String, Map<String, Object>>) document.get("paths");

    Set<String> documented = new HashSet<>();
    paths.forEach(
        (path, operations) -> operations.keySet().forEach(m -> documented.add(m + " " + path)));
    Set<String> routed = new HashSet<>();
    server
        .getApplicationContext()
        .getBean(io.micronaut.web.router.Router.class)
        .uriRoutes()
        // HEAD is Micronaut's for every GET; /prometheus is on the management port only
        .filter(r -> r.getHttpMethod() != io.micronaut.http.HttpMethod.HEAD)
        .filter(
            r ->
                !r.getUriMatchTemplate().toPathString().matches("/(openapi\\.yml|docs|prometheus)"))
        .forEach(
            r ->
                routed.add(
                    r.getHttpMethod().name().toLowerCase()
                        + " "
                        + r.getUriMatchTemplate().toPathString()));
    assertThat(documented).isEqualTo(routed);

    // every operation says what a client mistake looks like, and no type list names object beside
    // another type (micronaut-openapi's nullable strings, mended by ApiDocs)
    paths.forEach(
        (path, operations) ->
            operations.forEach(
                (method, operation) -> {
                  @SuppressWarnings("unchecked")
                  Map<String, Object> responses =
                      (Map<String, Object>) ((Map<String, Object>) operation).get("responses");
                  if (path.startsWith("/v1/")) {
                    assertThat(responses).as(method + " " + path).containsKey("4XX");
                  }
                }));
    assertThat(served.body()).doesNotContainPattern("- \"null\"\\s+- object");
    assertThat(served.body()).doesNotContain("exampleSetFlag");
    assertThat(served.body())
        .as("a map, list or reference that only null would match")
        .doesNotContainPattern("type: 'null'\\n\\s+(additionalProperties|allOf|items|properties)");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> schemas =
        (Map<String, Map<String, Object>>)
            ((Map<String, Object>) document.get("components")).get("schemas");
    // what a client must send is asked for without null; the events are the ones there are
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> create =
        (Map<String, Map<String, Object>>) schemas.get("CreateAttachment").get("properties");
    assertThat(create.get("filename").get("type")).isEqualTo(List.of("string"));
    assertThat(create.get("size").get("type")).isEqualTo(List.of("integer"));
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Map<String, Object>>> endpoint =
        (Map<String, Map<String, Map<String, Object>>>)
            schemas.get("WebhookViews.NewEndpoint").get("properties");
    assertThat(endpoint.get("events").get("items").get("enum"))
        .isEqualTo(
            java.util.Arrays.stream(dev.attachments.webhook.EventType.values())
                .map(dev.attachments.webhook.EventType::wireName)
                .toList());
  }

  @Test
  void swaggerUiAtDocsReadsTheDocument() throws Exception {
    HttpResponse<String> docs = call("GET", "/docs", null, null);
    assertThat(docs.statusCode()).isEqualTo(308);
    String page = docs.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> index = call("GET", page, null, null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("'/openapi.yml'").contains("/docs/res/swagger-ui-bundle.js");
    HttpResponse<String> bundle = call("GET", "/docs/res/swagger-ui-bundle.js", null, null);
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.body()).contains("SwaggerUIBundle");
  }

  @Test
  void healthSaysWhyFilesWaitFromWhatTheWorkersReportAboutTheirScanners() throws Exception {
    dev.attachments.metadata.ScannerReports reports =
        new dev.attachments.metadata.ScannerReports(postgres.dataSource());
    java.time.Instant now = java.time.Instant.now();
    reports.save(
        new dev.attachments.metadata.ScannerReports.Report(
            "1@gone", "ClamAV 1.4.6", null, null, now.minusSeconds(900)));

    JsonNode unknown = json(call("GET", "/health", null, null));
    assertThat(unknown.get("status").asText()).isEqualTo("UP");
    assertThat(unknown.at("/scanning/status").asText()).isEqualTo("UNKNOWN");
    assertThat(unknown.at("/scanning/reason").asText()).contains("is a worker running?");

    String stale =
        "clamd's signature database 27000 was built 2026-11-20T09:00:00Z, 11d ago, older than the 3d allowed";
    reports.save(
        new dev.attachments.metadata.ScannerReports.Report(
            "7@worker-a",
            "ClamAV 1.4.6/27000/Fri Nov 20 09:00:00 2026",
            java.time.Instant.parse("2026-11-20T09:00:00Z"),
            stale,
            now));
    HttpResponse<String> waiting = call("GET", "/health", null, null);
    assertThat(waiting.statusCode()).isEqualTo(200);
    assertThat(json(waiting).at("/scanning/status").asText()).isEqualTo("WAITING");
    assertThat(json(waiting).at("/scanning/reason").asText())
        .contains(stale)
        .doesNotContain("worker-a");
    JsonNode scanners = json(call("GET", "/v1/ops/scanners", OPS_KEY, null));
    assertThat(scanners.at("/scanners/0/worker").asText()).isEqualTo("7@worker-a");
    assertThat(scanners.at("/scanners/0/signaturesBuiltAt").asText())
        .isEqualTo("2026-11-20T09:00:00Z");
    assertThat(call("GET", "/v1/ops/scanners", ACME_KEY, null).statusCode())
        .as("an owner's key")
        .isEqualTo(401);

    reports.save(
        new dev.attachments.metadata.ScannerReports.Report(
            "7@worker-a",
            "ClamAV 1.4.6/27001/Tue Dec  1 05:00:00 2026",
            java.time.Instant.parse("2026-12-01T05:00:00Z"),
            null,
            now.plusSeconds(1)));
    JsonNode ok = json(call("GET", "/health", null, null));
    assertThat(ok.at("/scanning/status").asText()).isEqualTo("OK");
    assertThat(json(call("GET", "/v1/ops/scanners", OPS_KEY, null)).at("/scanners").size())
        .isEqualTo(1);
  }

  @Test
  void largeFileUploadsInPartsThatResumeFromWhatS3Holds() throws Exception {
    int size = 2 * 8 * MIB + 12345;
    byte[] content = new byte[size];
    new java.util.Random(5).nextBytes(content);
    JsonNode created = create(ACME_KEY, "film.mp4", "video/mp4", size, null);
    String id = created.get("id").asText();
    JsonNode upload = created.get("upload");
    assertThat(upload.get("mode").asText()).isEqualTo("multipart");
    assertThat(upload.get("partSize").asLong()).isEqualTo(8 * MIB);
    assertThat(upload.get("partCount").asInt()).isEqualTo(3);
    assertThat(upload.has("url")).isFalse();

    JsonNode parts = presign(id, "[1,2,3]");
    assertThat(parts).hasSize(3);
    assertThat(parts.get(2).get("headers").get("content-length").asText()).isEqualTo("12345");
    byte[] first = java.util.Arrays.copyOfRange(content, 0, 8 * MIB);
    byte[] second = java.util.Arrays.copyOfRange(content, 8 * MIB, 16 * MIB);
    byte[] third = java.util.Arrays.copyOfRange(content, 16 * MIB, size);
    assertThat(putPart(parts.get(0), new byte[5]))
        .as("a part of another length than signed")
        .isEqualTo(403);
    String etag1 = etag(parts.get(0), first);
    String etag3 = etag(parts.get(2), third);

    // the client crashed here; it asks what S3 holds and uploads only what is missing
    JsonNode stored = json(call("GET", "/v1/attachments/" + id + "/parts", ACME_KEY, null));
    assertThat(stored.get("partCount").asInt()).isEqualTo(3);
    assertThat(stored.get("parts").findValuesAsText("partNumber")).containsExactly("1", "3");
    assertThat(stored.get("parts").get(1).get("size").asLong()).isEqualTo(12345);
    assertThat(stored.get("parts").get(0).get("etag").asText()).isEqualTo(etag1);

    String missingTwo =
        "{\"parts\":[{\"partNumber\":1,\"etag\":"
            + JSON.writeValueAsString(etag1)
            + "},"
            + "{\"partNumber\":3,\"etag\":"
            + JSON.writeValueAsString(etag3)
            + "}]}";
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, missingTwo),
        422,
        "missing: [2]");

    String etag2 = etag(presign(id, "[2]").get(0), second);
    String wrongTwo = missingTwo.replace("]}", ",{\"partNumber\":2,\"etag\":\"\\\"0000\\\"\"}]}");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, wrongTwo), 422, "/parts");
    // still resumable after a refused completion
    assertThat(json(call("GET", "/v1/attachments/" + id + "/parts", ACME_KEY, null)).get("parts"))
        .hasSize(3);

    String all =
        missingTwo.replace(
            "]}", ",{\"partNumber\":2,\"etag\":" + JSON.writeValueAsString(etag2) + "}]}");
    assertThat(call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, all).statusCode())
        .isEqualTo(202);
    assertThat(call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, all).statusCode())
        .isEqualTo(202);
    assertThat(s3Object("attachments-incoming", "acme/" + id)).isEqualTo(content);
  }

  @Test
  void partRequestsThatCannotBeServedAreClientErrors() throws Exception {
    String id =
        create(ACME_KEY, "big.zip", "application/zip", 3 * 8L * MIB, null).get("id").asText();
    String small = create(ACME_KEY, "small.zip", "application/zip", 10, null).get("id").asText();

    assertProblem(
        call("POST", "/v1/attachments/" + id + "/parts", ACME_KEY, "{\"partNumbers\":[]}"),
        400,
        "partNumbers");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/parts", ACME_KEY, "{}"), 400, "partNumbers");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/parts", ACME_KEY, null), 400, "partNumbers");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/parts", ACME_KEY, "{\"partNumbers\":[0]}"),
        400,
        "1 to 3");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/parts", ACME_KEY, "{\"partNumbers\":[4]}"),
        400,
        "1 to 3");
    String tooMany =
        java.util.stream.IntStream.rangeClosed(1, 1001)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(",", "{\"partNumbers\":[", "]}"));
    assertProblem(call("POST", "/v1/attachments/" + id + "/parts", ACME_KEY, tooMany), 400, "1000");
    assertProblem(
        call("POST", "/v1/attachments/" + small + "/parts", ACME_KEY, "{\"partNumbers\":[1]}"),
        409,
        "one PUT");
    assertProblem(
        call("GET", "/v1/attachments/" + small + "/parts", ACME_KEY, null), 409, "one PUT");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/parts", GLOBEX_KEY, "{\"partNumbers\":[1]}"),
        404,
        id);
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, null), 422, "parts");
    assertProblem(
        call(
            "POST",
            "/v1/attachments/" + id + "/complete",
            ACME_KEY,
            "{\"parts\":[{\"partNumber\":1}]}"),
        400,
        "etag");
    assertProblem(
        call(
            "POST",
            "/v1/attachments/" + id + "/complete",
            ACME_KEY,
            "{\"parts\":[{\"partNumber\":1,\"etag\":\"a\"},{\"partNumber\":1,\"etag\":\"a\"}]}"),
        400,
        "twice");
  }

  private static software.amazon.awssdk.services.s3.S3Client s3Client() {
    return dev.attachments.storage.S3Connection.of(
            s3.endpoint().toString(), null, "us-east-1", "access", "secret", false, false)
        .client();
  }

  private static byte[] s3Object(String bucket, String key) {
    try (var client = s3Client()) {
      return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }
  }

  /**
   * As if the attachment's run had put the object where it ends and closed: the run is terminated
   * and the status published.
   */
  private static void settled(
      String id,
      java.util.function.Consumer<software.amazon.awssdk.services.s3.model.PutObjectRequest.Builder>
          object,
      byte[] content,
      dev.attachments.workflow.AttachmentStatus status,
      String reason) {
    try (var client = s3Client()) {
      client.putObject(object, software.amazon.awssdk.core.sync.RequestBody.fromBytes(content));
    }
    // settled first: recovery marks an unfinished attachment whose run was terminated FAILED
    new dev.attachments.metadata.AttachmentStatuses(postgres.dataSource())
        .publish(new dev.attachments.workflow.AttachmentState(id, status, reason, null, null));
    io.temporal.client.WorkflowClient.newInstance(temporalService)
        .newUntypedWorkflowStub("attachment-" + id)
        .terminate("test: " + status);
  }

  private static Map<String, Object> minimalSettings(Object... more) {
    Map<String, Object> settings = new java.util.HashMap<>();
    settings.put("micronaut.server.port", -1);
    // every API started here has its own management port (metrics), as replicas on one host would
    settings.put("endpoints.all.port", dev.attachments.stack.FreePort.pick());
    settings.put("datasources.default.url", postgres.jdbcUrl());
    settings.put("datasources.default.username", LocalPostgres.USER);
    settings.put("datasources.default.password", LocalPostgres.PASSWORD);
    settings.put("attachments.keys.api", ACME.entry());
    settings.put("attachments.s3.endpoint", s3.endpoint().toString());
    settings.put("attachments.s3.access-key", "access");
    settings.put("attachments.s3.secret-key", "secret");
    settings.put("attachments.temporal.target", temporal.target());
    for (int i = 0; i < more.length; i += 2) {
      settings.put((String) more[i], more[i + 1]);
    }
    return settings;
  }

  /**
   * Metrics are for operators: served on the management port only, never on the port clients reach,
   * with requests counted by route template (not by attachment id) and status.
   */
  @Test
  void metricsAreServedOnTheManagementPortOnlyByRouteAndStatus() throws Exception {
    int management = dev.attachments.stack.FreePort.pick();
    try (EmbeddedServer server =
        ApplicationContext.run(
            EmbeddedServer.class, minimalSettings("endpoints.all.port", management))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> unknown =
          http.send(
              HttpRequest.newBuilder(
                      server.getURI().resolve("/v1/attachments/" + java.util.UUID.randomUUID()))
                  .header("Authorization", "Bearer " + ACME.key())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).isEqualTo(404);
      HttpResponse<String> listing =
          http.send(
              HttpRequest.newBuilder(server.getURI().resolve("/v1/attachments"))
                  .header("Authorization", "Bearer " + ACME.key())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(listing.statusCode()).isEqualTo(200);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(server.getURI().resolve("/prometheus")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("not on the clients' port")
          .isEqualTo(404);
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/prometheus"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .containsPattern(
              "http_server_requests_seconds_count\\{[^}]*status=\"200\",uri=\"/v1/attachments\"} 1")
          .as("a path that names no route, or an id that names no attachment, adds no series")
          .containsPattern(
              "http_server_requests_seconds_count\\{[^}]*status=\"404\",uri=\"NOT_FOUND\"}")
          .doesNotContain(unknown.uri().getPath())
          .doesNotContain(ACME.key());
    }
  }

  /**
   * An owner may have so many uploads awaiting their bytes and so many bytes in flight; past either
   * it gets 429 with Retry-After. Twelve creates at once against a limit of three: exactly three
   * are taken (the count and the insert are one step per owner), and a retried create still answers
   * its attachment.
   */
  @Test
  void anOwnerOverItsLimitsIsToldToComeBackLaterAndConcurrentCreatesCannotSlipUnder()
      throws Exception {
    AccessKeys.Minted cappedKey = AccessKeys.mint("capped");
    String key = cappedKey.key();
    try (EmbeddedServer capped =
        ApplicationContext.run(
            EmbeddedServer.class,
            minimalSettings(
                "attachments.keys.api",
                cappedKey.entry(),
                "attachments.uploads.max-pending",
                3,
                "attachments.recovery.enabled",
                false,
                "attachments.uploads.max-bytes-in-flight",
                1_000_000))) {
      java.util.function.BiFunction<Long, String, HttpResponse<String>> create =
          (size, idempotencyKey) -> {
            HttpRequest.Builder request =
                HttpRequest.newBuilder(capped.getURI().resolve("/v1/attachments"))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":"
                                + size
                                + "}"));
            if (idempotencyKey != null) {
              request.header("Idempotency-Key", idempotencyKey);
            }
            try {
              return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };

      HttpResponse<String> tooBig = create.apply(1_000_001L, null);
      assertProblem(tooBig, 429, "bytes uploading or processing");
      assertThat(tooBig.headers().firstValue("Retry-After")).hasValue("30");

      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(12);
      List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String idempotencyKey = i == 0 ? "first" : null;
        answers.add(pool.submit(() -> create.apply(10L, idempotencyKey)));
      }
      List<Integer> statuses = new java.util.ArrayList<>();
      for (var answer : answers) {
        statuses.add(answer.get().statusCode());
      }
      pool.shutdown();
      assertThat(statuses).filteredOn(status -> status == 201).hasSize(3);
      assertThat(statuses).filteredOn(status -> status == 429).hasSize(9);
      HttpResponse<String> over = create.apply(10L, null);
      assertProblem(over, 429, "uploads awaiting their bytes");
      assertThat(json(over).get("type").asText()).endsWith("too-many-uploads");
      if (statuses.get(0) == 201) {
        assertThat(create.apply(10L, "first").statusCode())
            .as("a retried create answers its attachment, limits or not")
            .isEqualTo(201);
      }
    }
  }

  /**
   * Creates, upload URLs, completes and redeliveries each have a rate per owner, shared by every
   * replica: two APIs on one database, a rate of 3 creates a minute, the fourth create (on the
   * other replica) is 429 with Retry-After while another owner still creates. A refused or failed
   * call counts too, so an owner cannot probe for free.
   */
  @Test
  void anOwnerPastItsRateIsAnswered429OnEveryReplicaAndOtherOwnersAreNot() throws Exception {
    String owner = "rated-" + UUID.randomUUID().toString().substring(0, 8);
    AccessKeys.Minted rated = AccessKeys.mint(owner);
    AccessKeys.Minted other = AccessKeys.mint("other-" + owner);
    String key = rated.key();
    String otherKey = other.key();
    Object[] rates = {
      "attachments.keys.api",
      rated.entry() + "," + other.entry(),
      "attachments.rates.creates-per-minute",
      3,
      "attachments.recovery.enabled",
      false,
      "attachments.rates.upload-urls-per-minute",
      1,
      "attachments.rates.completes-per-minute",
      1,
      "attachments.rates.redeliveries-per-minute",
      1,
      "attachments.rates.webhook-registrations-per-minute",
      1
    };
    try (EmbeddedServer first =
            ApplicationContext.run(EmbeddedServer.class, minimalSettings(rates));
        EmbeddedServer second =
            ApplicationContext.run(EmbeddedServer.class, minimalSettings(rates))) {
      String body = "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":10}";
      assertThat(send(first, "POST", "/v1/attachments", key, body).statusCode()).isEqualTo(201);
      assertThat(send(second, "POST", "/v1/attachments", key, body).statusCode()).isEqualTo(201);
      assertThat(send(first, "POST", "/v1/attachments", key, body).statusCode()).isEqualTo(201);
      HttpResponse<String> fourth = send(second, "POST", "/v1/attachments", key, body);
      assertProblem(fourth, 429, "more than 3 uploads created a minute");
      assertThat(json(fourth).get("type").asText()).endsWith("rate-limited");
      assertThat(Long.parseLong(fourth.headers().firstValue("Retry-After").orElseThrow()))
          .as("a token comes back every 20 s at 3 a minute")
          .isBetween(1L, 20L);
      assertThat(send(second, "POST", "/v1/attachments", otherKey, body).statusCode())
          .as("another owner's bucket is its own")
          .isEqualTo(201);

      String missing = "/v1/attachments/" + UUID.randomUUID();
      String redeliver =
          "/v1/webhooks/" + UUID.randomUUID() + "/deliveries/" + UUID.randomUUID() + "/redeliver";
      for (String[] call :
          new String[][] {
            {"POST", missing + "/upload", "upload URL requests", "404"},
            {"POST", missing + "/complete", "completes", "404"},
            {"POST", redeliver, "redeliveries", "404"},
            {"POST", "/v1/webhooks", "webhook registrations", "400"}
          }) {
        assertThat(send(first, call[0], call[1], key, "{}").statusCode())
            .as(call[1])
            .isEqualTo(Integer.parseInt(call[3]));
        assertProblem(send(second, call[0], call[1], key, "{}"), 429, call[2] + " a minute");
      }
      assertThat(send(first, "POST", missing + "/parts", key, "{\"partNumbers\":[1]}").statusCode())
          .as("part URLs draw on the same bucket as the single PUT's")
          .isEqualTo(429);
      assertThat(send(second, "GET", missing + "/parts", key, "").statusCode())
          .as("so does the list of stored parts (an S3 ListParts each)")
          .isEqualTo(429);
    }
  }

  private static HttpResponse<String> send(
      EmbeddedServer api, String method, String path, String key, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(api.getURI().resolve(path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * PostgreSQL frozen (SIGSTOP, its backends too) while the API runs: every call answers 503 with
   * Retry-After within seconds, and once it thaws the API answers again.
   */
  @Test
  void aFrozenDatabaseIsAnswered503WithinSecondsAndTheApiRecoversWhenItThaws() throws Exception {
    java.nio.file.Path folder = Files.createTempDirectory("pg-frozen").resolve("data");
    try (LocalPostgres frozen = LocalPostgres.start(folder);
        EmbeddedServer api =
            ApplicationContext.run(
                EmbeddedServer.class,
                minimalSettings(
                    "datasources.default.url",
                    frozen.jdbcUrl(),
                    "attachments.recovery.enabled",
                    false))) {
      URI list = api.getURI().resolve("/v1/attachments");
      java.util.function.Supplier<HttpResponse<String>> get =
          () -> {
            try {
              return http.send(
                  HttpRequest.newBuilder(list)
                      .header("Authorization", "Bearer " + ACME_KEY)
                      .timeout(java.time.Duration.ofSeconds(60))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };
      assertThat(get.get().statusCode()).isEqualTo(200);
      URI readiness = api.getURI().resolve("/health/readiness");
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(json(ready).get("checks").get("database").asText()).isEqualTo("UP");
      assertThat(json(ready).get("checks").get("temporal").asText()).isEqualTo("UP");
      assertThat(json(ready).get("checks").get("s3").asText()).isEqualTo("UP");
      long postmaster =
          Long.parseLong(Files.readAllLines(folder.resolve("postmaster.pid")).get(0).trim());
      // the postmaster first: a backend it forks between the listing and the signal would go on
      // serving the pool's new connection (seen once: readiness answered 200, database UP)
      List<Long> processes = new java.util.ArrayList<>(List.of(postmaster));
      signal("STOP", processes);
      ProcessHandle.of(postmaster)
          .orElseThrow()
          .descendants()
          .forEach(child -> processes.add(child.pid()));
      signal("STOP", processes);
      try {
        for (int call = 0; call < 3; call++) {
          long started = System.nanoTime();
          HttpResponse<String> answer = get.get();
          java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - started);
          assertProblem(answer, 503, "metadata store");
          assertThat(answer.headers().firstValue("Retry-After")).isPresent();
          assertThat(took).as("call %d", call).isLessThan(java.time.Duration.ofSeconds(8));
        }
        long asked = System.nanoTime();
        HttpResponse<String> notReady =
            http.send(
                HttpRequest.newBuilder(readiness).timeout(java.time.Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
        assertThat(json(notReady).get("checks").get("database").asText()).startsWith("DOWN");
        assertThat(json(notReady).get("checks").get("s3").asText()).isEqualTo("UP");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - asked))
            .isLessThan(java.time.Duration.ofSeconds(5));
        HttpResponse<String> alive =
            http.send(
                HttpRequest.newBuilder(api.getURI().resolve("/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(alive.statusCode()).as("alive while the database is not").isEqualTo(200);
      } finally {
        signal("CONT", processes);
      }
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        status = get.get().statusCode();
      }
      assertThat(status).as("answers again once PostgreSQL thaws").isEqualTo(200);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(readiness).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("ready again")
          .isEqualTo(200);
    }
  }

  /**
   * S3, then Temporal, frozen behind a proxy that accepts connections and passes no byte (what a
   * stopped server looks like): a complete, and a create, answer 503 with Retry-After within
   * seconds, and the same complete is accepted once they thaw. Without the API's S3 timeouts the
   * complete waited past 30 s.
   */
  @Test
  void aFrozenObjectStoreOrWorkflowServiceIsAnswered503WithinSecondsAndTheCompleteGoesThroughAfter()
      throws Exception {
    URI s3Endpoint = s3.endpoint();
    String[] temporalTarget = temporal.target().split(":");
    try (FreezableProxy s3Proxy = FreezableProxy.to(s3Endpoint.getHost(), s3Endpoint.getPort());
        FreezableProxy temporalProxy =
            FreezableProxy.to(temporalTarget[0], Integer.parseInt(temporalTarget[1]));
        EmbeddedServer api =
            ApplicationContext.run(
                EmbeddedServer.class,
                minimalSettings(
                    "attachments.s3.endpoint",
                    "http://127.0.0.1:" + s3Proxy.port(),
                    "attachments.temporal.target",
                    "127.0.0.1:" + temporalProxy.port(),
                    "attachments.recovery.enabled",
                    false))) {
      byte[] content = "frozen dependencies".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String body =
          "{\"filename\":\"f.txt\",\"contentType\":\"text/plain\",\"size\":" + content.length + "}";
      JsonNode created = json(send(api, "POST", "/v1/attachments", ACME_KEY, body));
      assertThat(put(created.get("upload"), content, Map.of())).isEqualTo(200);
      String complete = "/v1/attachments/" + created.get("id").asText() + "/complete";

      s3Proxy.freeze();
      assertAnswered503Quickly(api, complete, "{}", "object store");
      s3Proxy.thaw();

      temporalProxy.freeze();
      assertAnswered503Quickly(api, complete, "{}", "workflow service");
      assertAnswered503Quickly(api, "/v1/attachments", body, "workflow service");
      temporalProxy.thaw();

      HttpResponse<String> accepted = send(api, "POST", complete, ACME_KEY, "{}");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }
  }

  private static void assertAnswered503Quickly(
      EmbeddedServer api, String path, String body, String system) throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(api.getURI().resolve(path))
                .header("Authorization", "Bearer " + ACME_KEY)
                .header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - started);
    assertProblem(answer, 503, system);
    assertThat(answer.headers().firstValue("Retry-After")).isPresent();
    assertThat(took).as(path).isLessThan(java.time.Duration.ofSeconds(10));
  }

  private static void signal(String signal, List<Long> pids) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    new ProcessBuilder(command).inheritIO().start().waitFor();
  }

  @Test
  void withoutKeysTheApiDoesNotStart() {
    Map<String, Object> settings = minimalSettings();
    settings.remove("attachments.keys.api");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ApplicationContext.run(EmbeddedServer.class, settings).close())
        .hasStackTraceContaining("ATTACHMENTS_API_KEYS is not set");
  }

  @Test
  void theSizeLimitIsWhatCanBeScannedUnlessUnscannableFilesAreHeld() {
    try (EmbeddedServer api = ApplicationContext.run(EmbeddedServer.class, minimalSettings())) {
      assertThat(api.getApplicationContext().getBean(ApiSettings.Uploads.class).maxSize())
          .as("the default: the 2047 MiB the default clamd scans whole")
          .isEqualTo(2146435072L);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ApplicationContext.run(
                        EmbeddedServer.class,
                        minimalSettings(
                            "attachments.uploads.max-size",
                            3L << 30,
                            "attachments.processing.unscannable-policy",
                            "reject"))
                    .close())
        .hasStackTraceContaining("ATTACHMENTS_UNSCANNABLE_POLICY=hold");
    try (EmbeddedServer api =
        ApplicationContext.run(
            EmbeddedServer.class, minimalSettings("attachments.uploads.max-size", 3L << 30))) {
      assertThat(api.getApplicationContext().getBean(ApiSettings.Uploads.class).maxSize())
          .as("larger, as files beyond what is scanned are held")
          .isEqualTo(3L << 30);
    }
  }

  @Test
  void aSettingOutOfItsRangeStopsTheApiAtStartNamingIt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ApplicationContext.run(
                        EmbeddedServer.class,
                        minimalSettings("attachments.processing.unscannable-policy", "keep"))
                    .close())
        .hasStackTraceContaining("unscannablePolicy")
        .hasStackTraceContaining("must match");
  }

  @Test
  void accelerationThatS3CannotServeStopsTheApiAtStartWithTheReason() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ApplicationContext.run(
                        EmbeddedServer.class, minimalSettings("attachments.s3.accelerate", true))
                    .close())
        .hasStackTraceContaining("ATTACHMENTS_S3_ACCELERATE=true needs AWS S3 itself");
  }

  private static HttpResponse<String> notifyCloudinary(String body, long timestamp, String secret)
      throws Exception {
    String signature =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-1")
                    .digest(
                        (body + timestamp + secret)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return http.send(
        HttpRequest.newBuilder(server.getURI().resolve("/v1/hooks/cloudinary"))
            .header("Content-Type", "application/json")
            .header("X-Cld-Timestamp", Long.toString(timestamp))
            .header("X-Cld-Signature", signature)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void signedCloudinaryNotificationReachesTheAttachmentsWorkflow() throws Exception {
    String id = create(ACME_KEY, "film.mp4", "video/mp4", 100, null).get("id").asText();
    String body =
        "{\"notification_type\":\"eager\",\"public_id\":\""
            + id
            + "\",\"eager\":[{\"status\":\"complete\"}]}";
    long now = System.currentTimeMillis() / 1000;

    assertThat(notifyCloudinary(body, now, CLOUDINARY_SECRET).statusCode()).isEqualTo(200);

    var history =
        io.temporal.client.WorkflowClient.newInstance(temporalService)
            .fetchHistory("attachment-" + id)
            .getEvents();
    assertThat(history)
        .anySatisfy(
            event ->
                assertThat(event.getWorkflowExecutionSignaledEventAttributes().getSignalName())
                    .isEqualTo("previewProcessed"));
  }

  @Test
  void forgedOrStaleCloudinaryNotificationsAreRefused() throws Exception {
    String body = "{\"notification_type\":\"eager\",\"public_id\":\"" + UUID.randomUUID() + "\"}";
    long now = System.currentTimeMillis() / 1000;

    assertProblem(notifyCloudinary(body, now, "not-the-secret"), 401, "signature");
    assertProblem(notifyCloudinary(body, now - 3 * 3600, CLOUDINARY_SECRET), 401, "timestamp");
    assertProblem(call("POST", "/v1/hooks/cloudinary", null, body), 400, "X-Cld-Signature");
  }

  @Test
  void webhookEndpointsAreHttpsToPublicAddressesOnlyAndTheSecretIsShownOnce() throws Exception {
    String body =
        "{\"url\":\"https://93.184.216.34/hooks/attachments\",\"events\":[\"attachment.released\",\"attachment.quarantined\"]}";
    HttpResponse<String> created = call("POST", "/v1/webhooks", ACME_KEY, body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode endpoint = json(created);
    assertThat(endpoint.get("secret").asText()).startsWith("whsec_");
    String id = endpoint.get("id").asText();

    JsonNode listed = json(call("GET", "/v1/webhooks", ACME_KEY, null)).get("items");
    assertThat(listed.findValuesAsText("id")).contains(id);
    assertThat(listed.get(0).get("secret").isNull()).isTrue();
    assertThat(json(call("GET", "/v1/webhooks/" + id + "/deliveries", ACME_KEY, null)).get("items"))
        .isEmpty();
    assertProblem(call("GET", "/v1/webhooks/" + id + "/deliveries", GLOBEX_KEY, null), 404, id);
    assertProblem(call("DELETE", "/v1/webhooks/" + id, GLOBEX_KEY, null), 404, id);
    assertThat(call("DELETE", "/v1/webhooks/" + id, ACME_KEY, null).statusCode()).isEqualTo(204);
    assertProblem(call("DELETE", "/v1/webhooks/" + id, ACME_KEY, null), 404, id);
  }

  @Test
  void webhookEndpointsIntoOurNetworkOrWithoutTlsAreRefused() throws Exception {
    for (String url :
        List.of(
            "http://93.184.216.34/hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.9/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://localhost/hook")) {
      assertProblem(
          call(
              "POST",
              "/v1/webhooks",
              ACME_KEY,
              "{\"url\":\"" + url + "\",\"events\":[\"attachment.released\"]}"),
          422,
          url.startsWith("http:") ? "https" : "address");
    }
    assertProblem(
        call(
            "POST",
            "/v1/webhooks",
            ACME_KEY,
            "{\"url\":\"https://93.184.216.34/h\",\"events\":[\"attachment.eaten\"]}"),
        400,
        "attachment.released");
    assertProblem(
        call(
            "POST",
            "/v1/webhooks",
            ACME_KEY,
            "{\"url\":\"https://93.184.216.34/h\",\"events\":[]}"),
        400,
        "events");
    assertProblem(
        call("POST", "/v1/webhooks", ACME_KEY, "{\"events\":[\"attachment.released\"]}"),
        400,
        "url");
  }

  @Test
  void attachmentWhoseWorkflowIsGoneIsStartedAgainWhenTheApiStarts() throws Exception {
    UUID id = UUID.randomUUID();
    new dev.attachments.metadata.Attachments(postgres.dataSource())
        .create(
            new dev.attachments.metadata.NewAttachment(
                id,
                "acme",
                "orphan.png",
                "image/png",
                10,
                null,
                null,
                java.time.Instant.now().plusSeconds(3600),
                java.time.Instant.now(),
                null,
                null));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> describe(id.toString()))
        .hasMessageContaining("NOT_FOUND");

    server.close();
    server = startApi("");

    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse description = null;
    while (description == null && System.nanoTime() < deadline) {
      try {
        description = describe(id.toString());
      } catch (io.grpc.StatusRuntimeException notYet) {
        Thread.sleep(200);
      }
    }
    assertThat(description).as("the workflow was started again").isNotNull();
    assertThat(description.getWorkflowExecutionInfo().getType().getName())
        .isEqualTo("AttachmentWorkflow");
  }

  @Test
  void operatorsListAcrossOwnersAndReleaseAFalsePositiveThroughItsWorkflowWithAnAuditedReason()
      throws Exception {
    byte[] content = "a harmless file clamd got wrong".getBytes();
    JsonNode created = create(ACME_KEY, "false-positive.txt", "text/plain", content.length, null);
    String id = created.get("id").asText();
    create(GLOBEX_KEY, "other.txt", "text/plain", 5, null);
    settled(
        id,
        b -> b.bucket("attachments-quarantine").key("acme/" + id),
        content,
        dev.attachments.workflow.AttachmentStatus.QUARANTINED,
        "infected: Suspicious.Heuristic");

    assertProblem(call("GET", "/v1/ops/attachments", ACME_KEY, null), 401, "operator");
    JsonNode quarantined =
        json(call("GET", "/v1/ops/attachments?status=QUARANTINED&limit=500", OPS_KEY, null))
            .get("items");
    assertThat(quarantined.findValuesAsText("id")).contains(id);
    assertThat(
            json(call("GET", "/v1/ops/attachments?limit=500", OPS_KEY, null))
                .get("items")
                .findValuesAsText("owner"))
        .contains("acme", "globex");
    assertProblem(
        call("GET", "/v1/attachments/" + id + "/download", ACME_KEY, null), 409, "QUARANTINED");

    assertProblem(
        call("POST", "/v1/ops/attachments/" + id + "/release", OPS_KEY, "{}"), 400, "reason");
    assertProblem(
        call(
            "POST",
            "/v1/ops/attachments/" + id + "/release",
            OPS_KEY,
            "{\"reason\":\"" + "x".repeat(1001) + "\"}"),
        400,
        "at most 1000");
    HttpResponse<String> released =
        call(
            "POST",
            "/v1/ops/attachments/" + id + "/release",
            OPS_KEY,
            "{\"reason\":\"checked by hand: a plain text note\"}");
    assertThat(released.statusCode()).as(released.body()).isEqualTo(202);
    assertThat(json(released).get("status").asText()).isEqualTo("PROCESSING");
    assertProblem(
        call("POST", "/v1/ops/attachments/" + id + "/release", OPS_KEY, "{\"reason\":\"again\"}"),
        409,
        "PROCESSING");

    JsonNode attachment = json(call("GET", "/v1/attachments/" + id, ACME_KEY, null));
    assertThat(attachment.get("status").asText())
        .as("released once its workflow moved the file")
        .isEqualTo("PROCESSING");
    assertThat(attachment.get("audit").get(0).get("action").asText()).isEqualTo("release");
    assertThat(attachment.get("audit").get(0).get("actor").asText()).isEqualTo("alice");
    assertThat(attachment.get("audit").get(0).get("reason").asText())
        .isEqualTo("checked by hand: a plain text note");
    assertProblem(
        call("GET", "/v1/attachments/" + id + "/download", ACME_KEY, null), 409, "PROCESSING");
    assertThat(operatorActionOfTheRunningWorkflow(id))
        .contains("RELEASE")
        .contains("checked by hand");

    // an operator terminates that run by hand: recovery does not start it again but marks the
    // attachment FAILED, saying so
    io.temporal.client.WorkflowClient.newInstance(temporalService)
        .newUntypedWorkflowStub("attachment-" + id)
        .terminate("stopped on purpose");
    server.close();
    server = startApi(""); // its start-up round, as the recovery workflow's rounds would
    JsonNode failed = awaitStatus(id, "FAILED");
    assertThat(failed.get("reason").asText())
        .contains("terminated by hand (stopped on purpose)")
        .contains("reprocess");
    assertThat(describe(id).getWorkflowExecutionInfo().getStatus())
        .isEqualTo(
            io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED);

    // an operator reprocesses it and the API dies after recording that, before the run starts
    // (the action recorded, no run for it): the next start carries the reprocess out
    new dev.attachments.metadata.OperatorActions(postgres.dataSource())
        .reopenFailed(UUID.fromString(id), "alice", "after the termination", false)
        .orElseThrow();
    server.close();
    server = startApi("");
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    while (describe(id).getWorkflowExecutionInfo().getStatus()
            != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(operatorActionOfTheRunningWorkflow(id))
        .contains("REPROCESS")
        .contains("after the termination");
  }

  private static JsonNode awaitStatus(String id, String status) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    JsonNode attachment = json(call("GET", "/v1/attachments/" + id, ACME_KEY, null));
    while (!attachment.get("status").asText().equals(status) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      attachment = json(call("GET", "/v1/attachments/" + id, ACME_KEY, null));
    }
    assertThat(attachment.get("status").asText()).as(attachment.toString()).isEqualTo(status);
    return attachment;
  }

  /** The operator action in the input of the attachment's running workflow, as JSON. */
  private static String operatorActionOfTheRunningWorkflow(String id) throws Exception {
    assertThat(describe(id).getWorkflowExecutionInfo().getStatus())
        .isEqualTo(
            io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    var history =
        io.temporal.client.WorkflowClient.newInstance(temporalService)
            .fetchHistory("attachment-" + id);
    var input =
        history
            .getHistory()
            .getEvents(0)
            .getWorkflowExecutionStartedEventAttributes()
            .getInput()
            .getPayloads(0);
    return JSON.readTree(input.getData().toStringUtf8()).get("operatorAction").toString();
  }

  @Test
  void operatorsReprocessAFailedAttachmentWithAnAuditedNewRun() throws Exception {
    String id = create(ACME_KEY, "stuck.png", "image/png", 10, null).get("id").asText();
    new dev.attachments.metadata.AttachmentStatuses(postgres.dataSource())
        .publish(
            new dev.attachments.workflow.AttachmentState(
                id,
                dev.attachments.workflow.AttachmentStatus.FAILED,
                "processing gave up: clamd unreachable",
                null,
                null));
    // the first run is gone, as a failed run would be
    io.temporal.client.WorkflowClient.newInstance(temporalService)
        .newUntypedWorkflowStub("attachment-" + id)
        .terminate("test: the run failed");

    assertProblem(
        call("POST", "/v1/ops/attachments/" + id + "/reprocess?from=verify", OPS_KEY, null),
        400,
        "scan");
    assertProblem(
        call("POST", "/v1/ops/attachments/" + id + "/reprocess?from=scan", OPS_KEY, null),
        409,
        "neither in the incoming bucket nor held");
    HttpResponse<String> reprocessed =
        call("POST", "/v1/ops/attachments/" + id + "/reprocess", OPS_KEY, null);
    assertThat(reprocessed.statusCode()).as(reprocessed.body()).isEqualTo(202);
    assertProblem(
        call("POST", "/v1/ops/attachments/" + id + "/reprocess", OPS_KEY, null), 409, "PROCESSING");

    JsonNode attachment = json(call("GET", "/v1/attachments/" + id, ACME_KEY, null));
    assertThat(attachment.get("status").asText()).isEqualTo("PROCESSING");
    assertThat(attachment.get("audit").findValuesAsText("action")).contains("reprocess");
    assertThat(operatorActionOfTheRunningWorkflow(id)).contains("REPROCESS").contains("alice");
  }

  @Test
  void everyCallNeedsAValidKey() throws Exception {
    assertProblem(call("GET", "/v1/attachments", null, null), 401, "Authorization: Bearer");
    assertProblem(call("GET", "/v1/attachments", "not-a-key", null), 401, "not valid");
    assertProblem(
        call("GET", "/v1/attachments", null, null, "Authorization", "Basic abc"), 401, "Bearer");
  }

  @Test
  void createAnswersAPresignedPutThatS3AcceptsOnlyForTheDeclaredFile() throws Exception {
    byte[] content = "hello, attachments".getBytes();
    JsonNode created = create(ACME_KEY, "hello.txt", "text/plain", content.length, null);

    assertThat(created.get("status").asText()).isEqualTo("AWAITING_UPLOAD");
    JsonNode upload = created.get("upload");
    assertThat(upload.get("mode").asText()).isEqualTo("single");
    assertThat(upload.get("method").asText()).isEqualTo("PUT");
    assertThat(upload.get("url").asText())
        .contains("/attachments-incoming/acme/" + created.get("id").asText());
    assertThat(upload.get("headers").get("content-type").asText()).isEqualTo("text/plain");
    assertThat(upload.get("headers").get("content-length").asText())
        .isEqualTo(Integer.toString(content.length));
    assertThat(upload.get("expiresAt").asText()).isNotBlank();

    assertThat(put(upload, content, Map.of("content-type", "text/html"))).isEqualTo(403);
    assertThat(put(upload, "a different, longer file".getBytes(), Map.of())).isEqualTo(403);
    assertThat(put(upload, content, Map.of())).isEqualTo(200);
  }

  @Test
  void uploadUrlsLiveMinutesRefuseASecondPutAndComeFreshWhileTheUploadIsOpen() throws Exception {
    byte[] content = "first bytes".getBytes();
    JsonNode created = create(ACME_KEY, "first.txt", "text/plain", content.length, null);
    String id = created.get("id").asText();
    JsonNode upload = created.get("upload");
    assertThat(java.time.Instant.parse(upload.get("expiresAt").asText()))
        .as("URLs live minutes, not the whole upload window")
        .isBefore(java.time.Instant.now().plus(java.time.Duration.ofMinutes(16)));
    assertThat(upload.get("headers").get("if-none-match").asText()).isEqualTo("*");

    HttpResponse<String> fresh = call("POST", "/v1/attachments/" + id + "/upload", ACME_KEY, null);
    assertThat(fresh.statusCode()).as(fresh.body()).isEqualTo(200);
    assertThat(json(fresh).get("mode").asText()).isEqualTo("single");
    assertThat(put(json(fresh), content, Map.of())).isEqualTo(200);
    assertThat(put(upload, "other bytes".getBytes(), Map.of()))
        .as("a second PUT over the first, with any of the URLs")
        .isEqualTo(412);
    assertThat(s3Object("attachments-incoming", "acme/" + id)).isEqualTo(content);

    new dev.attachments.metadata.AttachmentStatuses(postgres.dataSource())
        .publish(
            new dev.attachments.workflow.AttachmentState(
                id, dev.attachments.workflow.AttachmentStatus.PROCESSING, null, null, null));
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/upload", ACME_KEY, null), 409, "no longer open");
  }

  @Test
  void downloadsServeTheDeclaredTypeAndNoEncodingWhateverTheObjectCarries() throws Exception {
    byte[] content = "plain bytes".getBytes();
    String id =
        create(ACME_KEY, "notes.txt", "text/plain", content.length, null).get("id").asText();
    settled(
        id,
        b ->
            b.bucket("attachments-released")
                .key("acme/" + id)
                .contentType("text/html")
                .contentEncoding("br"),
        content,
        dev.attachments.workflow.AttachmentStatus.RELEASED,
        null);

    String url =
        json(call("GET", "/v1/attachments/" + id + "/download", ACME_KEY, null))
            .get("url")
            .asText();
    HttpResponse<Void> download = toS3(HttpRequest.newBuilder(URI.create(url)).build());

    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(download.headers().firstValue("Content-Encoding")).hasValue("identity");
    assertThat(download.headers().firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment;");
  }

  @Test
  void declaredDigestIsSignedSoS3RefusesOtherBytes() throws Exception {
    byte[] content = "the real bytes".getBytes();
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    JsonNode upload =
        create(ACME_KEY, "real.txt", "text/plain", content.length, sha256).get("upload");

    assertThat(upload.get("headers").get("x-amz-checksum-sha256")).isNotNull();
    assertThat(put(upload, "the fake bytes".getBytes(), Map.of())).isEqualTo(400);
    assertThat(put(upload, content, Map.of())).isEqualTo(200);
  }

  @Test
  void createStartsTheAttachmentsWorkflowWithItsSearchAttributes() throws Exception {
    String id = create(ACME_KEY, "logo.png", "image/png", 100, null).get("id").asText();

    var description = describe(id);
    assertThat(description.getWorkflowExecutionInfo().getType().getName())
        .isEqualTo("AttachmentWorkflow");
    assertThat(description.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap())
        .containsKeys(
            "AttachmentOwner", "AttachmentStatus", "AttachmentSize", "AttachmentContentType");
  }

  @Test
  void fileNamesThatHideWhatTheyAreAreRefusedNamingTheCharacter() throws Exception {
    assertNameRefused("invoice\u202Efdp.exe", "application/pdf", "U+202E RIGHT-TO-LEFT OVERRIDE");
    assertNameRefused("logo\u200D.png", "image/png", "U+200D ZERO WIDTH JOINER");
    assertNameRefused("a\u2028b.png", "image/png", "line separator");
    assertNameRefused(
        "a\\uD800b.png",
        "image/png",
        "U+D800"); // a JSON escape: a lone surrogate cannot travel as UTF-8
    assertNameRefused("report.exe", "application/pdf", ".exe, which runs when opened");
    assertNameRefused("photo.jpg.js", "image/jpeg", ".js");
    assertNameRefused("evil.exe.", "application/pdf", "dot");
    assertNameRefused("\u00e9".repeat(130) + ".png", "image/png", "264 bytes");
    assertNameRefused("evil.exe:x.png", "image/png", "':'");
    assertNameRefused("CON.png", "image/png", "device name");
    assertNameRefused("two\u00a0words.png", "image/png", "U+00A0");
    assertNameRefused("invoice\uff0eexe.png", "image/png", "U+FF0E");
    assertNameRefused(".hta", "text/plain", ".hta");
    assertNameRefused(
        "feed.xml",
        "text/plain",
        ".xml"); // XML renders, scripts included, when opened in a browser
    assertNameRefused("share.library-ms", "text/markdown", ".library-ms");
    assertNameRefused("clip.mp4", "video/x-made-up", "no file extension is known");
  }

  private static void assertNameRefused(String jsonName, String type, String detail)
      throws Exception {
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"" + jsonName + "\",\"contentType\":\"" + type + "\",\"size\":10}"),
        400,
        detail);
  }

  @Test
  void fileNamesAreNormalizedAndEndInAnExtensionOfTheirType() throws Exception {
    assertThat(keptName("photo", "image/jpg")).isEqualTo("photo.jpg");
    assertThat(keptName("report.txt", "application/pdf")).isEqualTo("report.txt.pdf");
    assertThat(keptName("e\u0301t\u00e9.png", "image/png"))
        .as("NFC")
        .isEqualTo("\u00e9t\u00e9.png");
    assertThat(keptName("notes.log", "text/plain")).isEqualTo("notes.log");
    assertThat(keptName("data.csv", "text/csv")).isEqualTo("data.csv");
    assertThat(
            keptName(
                "Q3.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        .isEqualTo("Q3.docx");
    assertThat(keptName("README.md", "text/plain")).isEqualTo("README.md");
    assertThat(keptName("notes.md", "text/markdown")).isEqualTo("notes.md");
    assertThat(keptName("logo.gif", "image/png"))
        .as("the type's extension follows")
        .isEqualTo("logo.gif.png");
    String id = create(ACME_KEY, "photo.jpeg", "image/jpg", 10, null).get("id").asText();
    assertThat(
            json(call("GET", "/v1/attachments/" + id, ACME_KEY, null)).get("contentType").asText())
        .isEqualTo("image/jpeg");
  }

  /** The name the API keeps for a new attachment with this name and type. */
  private static String keptName(String filename, String type) throws Exception {
    String id = create(ACME_KEY, filename, type, 10, null).get("id").asText();
    return json(call("GET", "/v1/attachments/" + id, ACME_KEY, null)).get("filename").asText();
  }

  @Test
  void badRequestsAreClearClientErrors() throws Exception {
    assertProblem(
        call("POST", "/v1/attachments", ACME_KEY, "{\"contentType\":\"image/png\",\"size\":1}"),
        400,
        "filename");
    assertProblem(
        call("POST", "/v1/attachments", ACME_KEY, "{\"filename\":\"a.png\",\"size\":1}"),
        400,
        "contentType");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.png\",\"contentType\":\"image/png\"}"),
        400,
        "size");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":0}"),
        400,
        "size");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"../a.png\",\"contentType\":\"image/png\",\"size\":1}"),
        400,
        "path");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.png\",\"contentType\":\"png\",\"size\":1}"),
        400,
        "media type");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":1,\"sha256\":\"xyz\"}"),
        400,
        "sha256");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":\"big\"}"),
        400,
        "");
    assertProblem(call("POST", "/v1/attachments", ACME_KEY, "{not json"), 400, "JSON");
    assertProblem(call("POST", "/v1/attachments", ACME_KEY, null), 400, "");
    assertProblem(call("POST", "/v1/attachments", ACME_KEY, "[1,2]"), 400, "");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.mkv\",\"contentType\":\"video/x-matroska\",\"size\":100000001}"),
        413,
        "100000000");
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            "{\"filename\":\"a.exe\",\"contentType\":\"application/x-msdownload\",\"size\":10}"),
        415,
        "not accepted");
    assertProblem(call("GET", "/v1/attachments?limit=0", ACME_KEY, null), 400, "limit");
    assertProblem(call("GET", "/v1/attachments?limit=abc", ACME_KEY, null), 400, "limit");
    assertProblem(call("GET", "/v1/attachments?status=LOST", ACME_KEY, null), 400, "status");
    assertProblem(call("GET", "/v1/attachments?cursor=bogus", ACME_KEY, null), 400, "cursor");
    assertProblem(call("DELETE", "/v1/attachments", ACME_KEY, null), 405, "");
    assertProblem(call("GET", "/v1/nothing-here", ACME_KEY, null), 404, "");
  }

  @Test
  void anotherOwnersAttachmentIsNotFound() throws Exception {
    String id = create(ACME_KEY, "secret.pdf", "application/pdf", 10, null).get("id").asText();

    assertThat(call("GET", "/v1/attachments/" + id, ACME_KEY, null).statusCode()).isEqualTo(200);
    assertProblem(call("GET", "/v1/attachments/" + id, GLOBEX_KEY, null), 404, id);
    assertProblem(call("GET", "/v1/attachments/" + id + "/download", GLOBEX_KEY, null), 404, id);
    assertProblem(call("POST", "/v1/attachments/" + id + "/complete", GLOBEX_KEY, null), 404, id);
    assertThat(
            json(call("GET", "/v1/attachments", GLOBEX_KEY, null))
                .get("items")
                .findValuesAsText("id"))
        .doesNotContain(id);
    assertProblem(call("GET", "/v1/attachments/not-a-uuid", ACME_KEY, null), 404, "not-a-uuid");
  }

  @Test
  void theOwnerDeletesAnAttachmentOnceThroughItsWorkflowAndAnotherOwnerCannot() throws Exception {
    JsonNode created = create(ACME_KEY, "old.pdf", "application/pdf", 10, null);
    String id = created.get("id").asText();
    assertProblem(call("DELETE", "/v1/attachments/" + id, GLOBEX_KEY, null), 404, id);
    assertThat(json(call("GET", "/v1/attachments/" + id, ACME_KEY, null)).get("status").asText())
        .isEqualTo("AWAITING_UPLOAD");

    HttpResponse<String> deleted = call("DELETE", "/v1/attachments/" + id, ACME_KEY, null);
    HttpResponse<String> again = call("DELETE", "/v1/attachments/" + id, ACME_KEY, null);

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    JsonNode body = json(deleted);
    assertThat(body.get("status").asText()).isEqualTo("DELETED");
    assertThat(body.get("reason").asText()).isEqualTo("deleted by its owner");
    assertThat(body.get("audit")).hasSize(1);
    assertThat(body.get("audit").get(0).get("action").asText()).isEqualTo("owner-delete");
    assertThat(body.get("audit").get(0).get("actor").asText()).isEqualTo("acme");
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(json(again).get("audit")).as("audited once").hasSize(1);
    assertProblem(
        call("GET", "/v1/attachments/" + id + "/download", ACME_KEY, null), 409, "DELETED");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, null), 409, "deleted");
    assertProblem(
        call("POST", "/v1/attachments/" + id + "/upload", ACME_KEY, null), 409, "DELETED");
    var signals =
        io.temporal.client.WorkflowClient.newInstance(temporalService)
            .fetchHistory("attachment-" + id)
            .getEvents()
            .stream()
            .filter(
                io.temporal.api.history.v1.HistoryEvent
                    ::hasWorkflowExecutionSignaledEventAttributes)
            .map(e -> e.getWorkflowExecutionSignaledEventAttributes())
            .toList();
    assertThat(signals)
        .as("the running workflow is told, each time with the same deletion")
        .hasSize(2)
        .allSatisfy(signal -> assertThat(signal.getSignalName()).isEqualTo("delete"));
    assertThat(signals.get(0).getInput()).isEqualTo(signals.get(1).getInput());
  }

  @Test
  void downloadIsRefusedUntilReleased() throws Exception {
    String id = create(ACME_KEY, "report.pdf", "application/pdf", 10, null).get("id").asText();

    assertProblem(
        call("GET", "/v1/attachments/" + id + "/download", ACME_KEY, null), 409, "AWAITING_UPLOAD");
  }

  @Test
  void completeBeforeTheUploadIsAConflictAndAfterItIsAccepted() throws Exception {
    byte[] content = "done".getBytes();
    JsonNode created = create(ACME_KEY, "done.txt", "text/plain", content.length, null);
    String id = created.get("id").asText();

    assertProblem(
        call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, null), 409, "PUT it");
    assertThat(put(created.get("upload"), content, Map.of())).isEqualTo(200);
    HttpResponse<String> accepted =
        call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, null);
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(json(accepted).get("id").asText()).isEqualTo(id);
    assertThat(call("POST", "/v1/attachments/" + id + "/complete", ACME_KEY, null).statusCode())
        .isEqualTo(202);
  }

  @Test
  void sameIdempotencyKeyGivesTheSameAttachmentAndAnotherBodyIsRefused() throws Exception {
    String body = "{\"filename\":\"a.png\",\"contentType\":\"image/png\",\"size\":5}";
    HttpResponse<String> first =
        call("POST", "/v1/attachments", ACME_KEY, body, "Idempotency-Key", "order-42");
    HttpResponse<String> again =
        call("POST", "/v1/attachments", ACME_KEY, body, "Idempotency-Key", "order-42");

    assertThat(json(again).get("id").asText()).isEqualTo(json(first).get("id").asText());
    assertProblem(
        call(
            "POST",
            "/v1/attachments",
            ACME_KEY,
            body.replace("\"size\":5", "\"size\":6"),
            "Idempotency-Key",
            "order-42"),
        422,
        "order-42");
    // another owner's key space is its own
    assertThat(
            json(call("POST", "/v1/attachments", GLOBEX_KEY, body, "Idempotency-Key", "order-42"))
                .get("id")
                .asText())
        .isNotEqualTo(json(first).get("id").asText());
  }

  @Test
  void listingPagesThroughTheOwnersAttachmentsNewestFirst() throws Exception {
    AccessKeys.Minted lister = AccessKeys.mint("lister");
    String key = lister.key();
    // a third owner whose listing holds only what this test makes
    server.close();
    server = startApi("," + lister.entry());
    List<String> made = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      made.add(0, create(key, "f" + i + ".txt", "text/plain", 3, null).get("id").asText());
    }

    List<String> seen = new java.util.ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String cursor = null;
    do {
      JsonNode page =
          json(
              call(
                  "GET",
                  "/v1/attachments?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                  key,
                  null));
      page.get("items").forEach(item -> seen.add(item.get("id").asText()));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
      assertThat(cursor == null || cursors.add(cursor)).isTrue();
    } while (cursor != null);

    assertThat(seen).containsExactlyElementsOf(made);
    assertThat(json(call("GET", "/v1/attachments?status=released", key, null)).get("items"))
        .isEmpty();
    assertThat(json(call("GET", "/v1/attachments?status=AWAITING_UPLOAD", key, null)).get("items"))
        .hasSize(5);
  }
}
