package dev.attachments.stack;

import dev.attachments.access.AccessKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole system on embedded defaults: Temporal, S3, clamd and PostgreSQL in or under this
 * process, then the worker and api jars as child processes wired to them. Closing it stops
 * everything it started.
 */
public final class EmbeddedStack implements AutoCloseable {
  public static final List<String> BUCKETS =
      List.of("attachments-incoming", "attachments-released", "attachments-quarantine");

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Options options;
  private String apiKeys;
  private String devKey;
  private URI apiUrl;
  private LocalS3 s3;
  private LocalClamd clamd;
  private LocalPostgres postgres;
  private LocalTemporal temporal;
  private ServiceProcess worker;
  private ServiceProcess api;
  private Map<String, String> apiEnv;
  private Map<String, String> workerBaseEnv;
  private URI apiManagement;
  private URI workerManagement;

  /**
   * @param dataDir where objects, the database and logs live; kept across restarts
   * @param httpPort the API's port
   * @param apiKeys key entries as the API takes them ({@code owner:id:sha256:created,...}, see
   *     {@link AccessKeys}), or null to mint one key for {@code dev} and keep it in the data dir
   * @param env more environment for the worker and api, over what this process has
   */
  public record Options(
      Path repository, Path dataDir, int httpPort, String apiKeys, Map<String, String> env) {}

  private EmbeddedStack(Options options) {
    this.options = options;
  }

  public static EmbeddedStack start(Options options) throws Exception {
    EmbeddedStack stack = new EmbeddedStack(options);
    try {
      stack.startAll();
      return stack;
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() throws Exception {
    Path data = options.dataDir().toAbsolutePath();
    Files.createDirectories(data);
    if (options.apiKeys() != null) {
      apiKeys = options.apiKeys();
    } else {
      List<String> dev = devKey(data);
      devKey = dev.get(0);
      apiKeys = dev.get(1);
    }

    temporal = started(temporal(data));
    s3 =
        started(
            LocalS3.start(
                data.resolve("s3"), "attachments-dev", "attachments-dev-secret", BUCKETS));
    clamd = started(LocalClamd.start(data.resolve("clamd")));
    postgres = started(LocalPostgres.start(data.resolve("postgres")));

    Map<String, String> env = new HashMap<>();
    env.put("ATTACHMENTS_TEMPORAL_TARGET", temporal.target());
    env.put("ATTACHMENTS_DB_URL", postgres.jdbcUrl());
    env.put("ATTACHMENTS_DB_USER", LocalPostgres.USER);
    env.put("ATTACHMENTS_DB_PASSWORD", LocalPostgres.PASSWORD);
    env.put("ATTACHMENTS_S3_ENDPOINT", s3.endpoint().toString());
    env.put("ATTACHMENTS_S3_REGION", LocalS3.REGION);
    env.put("ATTACHMENTS_S3_ACCESS_KEY", s3.accessKey());
    env.put("ATTACHMENTS_S3_SECRET_KEY", s3.secretKey());
    env.put("ATTACHMENTS_CLAMD_HOST", clamd.host());
    env.put("ATTACHMENTS_CLAMD_PORT", Integer.toString(clamd.port()));
    // the offline database knows EICAR only and carries no date: nothing to age; production keeps
    // 3d
    env.put("ATTACHMENTS_MAX_SIGNATURE_AGE", "off");
    env.put("ATTACHMENTS_API_KEYS", apiKeys);
    env.put("ATTACHMENTS_HTTP_PORT", Integer.toString(options.httpPort()));
    // the dev stack's receivers run on this machine: plain http and loopback endpoints are allowed
    // here
    env.put("ATTACHMENTS_WEBHOOKS_ALLOW_HTTP", "true");
    // open to browser pages on any origin, as the embedded S3 is (LocalS3)
    env.put("ATTACHMENTS_CORS_ORIGIN_PATTERN", ".*");
    env.putAll(options.env());

    workerBaseEnv = new HashMap<>(env);
    apiManagement = URI.create("http://127.0.0.1:" + FreePort.pick());
    env.put("ATTACHMENTS_MANAGEMENT_PORT", Integer.toString(apiManagement.getPort()));
    workerManagement = URI.create("http://127.0.0.1:" + FreePort.pick());
    worker = startWorker("worker", workerManagement, Map.of());
    apiEnv = env;
    apiUrl = URI.create("http://127.0.0.1:" + options.httpPort());
    startApi();
  }

  /**
   * Another worker process beside the first, as a deployment per task queue runs them (e.g. {@code
   * ATTACHMENTS_WORKER_ROLES=scan}); it logs to {@code logs/<name>.log} and stops with the stack.
   *
   * @return its port for operators (health, metrics)
   */
  public URI startWorker(String name, Map<String, String> env)
      throws IOException, InterruptedException {
    URI management = URI.create("http://127.0.0.1:" + FreePort.pick());
    startWorker(name, management, env);
    return management;
  }

  private ServiceProcess startWorker(String name, URI management, Map<String, String> env)
      throws IOException, InterruptedException {
    Path data = options.dataDir().toAbsolutePath();
    Path ready = data.resolve(name + ".ready");
    Files.deleteIfExists(ready);
    Map<String, String> workerEnv = new HashMap<>(workerBaseEnv);
    workerEnv.putAll(env);
    workerEnv.put("ATTACHMENTS_READY_FILE", ready.toString());
    // each app's operators' port (health, metrics): picked free, on loopback for the worker
    workerEnv.put("ATTACHMENTS_MANAGEMENT_PORT", Integer.toString(management.getPort()));
    workerEnv.put("ATTACHMENTS_MANAGEMENT_ADDRESS", "127.0.0.1");
    String workerHeap =
        workerEnv.getOrDefault(
            "ATTACHMENTS_WORKER_HEAP",
            System.getenv().getOrDefault("ATTACHMENTS_WORKER_HEAP", "512m"));
    ServiceProcess process =
        started(
            ServiceProcess.start(
                name,
                jar("worker", "attachments-worker.jar"),
                List.of("-Xmx" + workerHeap),
                workerEnv,
                data.resolve("logs").resolve(name + ".log")));
    process.awaitReady(() -> Files.exists(ready), Duration.ofMinutes(2));
    return process;
  }

  private void startApi() throws IOException, InterruptedException {
    api =
        started(
            ServiceProcess.start(
                "api",
                jar("api", "attachments-api.jar"),
                List.of("-Xmx384m"),
                apiEnv,
                options.dataDir().toAbsolutePath().resolve("logs").resolve("api.log")));
    api.awaitReady(this::apiAnswers, Duration.ofMinutes(2));
  }

  /** Stops the API process and starts another on the same port, as a deploy or a crash would. */
  public void restartApi() throws Exception {
    started.remove(api);
    api.close();
    startApi();
  }

  /**
   * The real dev server when {@code ATTACHMENTS_TEMPORAL_CLI} names a Temporal CLI (./run and CI
   * install one when Go is there), else the Java test server.
   */
  private LocalTemporal temporal(Path data) throws InterruptedException {
    String cli =
        options
            .env()
            .getOrDefault("ATTACHMENTS_TEMPORAL_CLI", System.getenv("ATTACHMENTS_TEMPORAL_CLI"));
    if (cli != null && !cli.isBlank() && Files.isExecutable(Path.of(cli))) {
      try {
        return LocalTemporal.startDev(Path.of(cli), data.resolve("temporal"));
      } catch (java.io.IOException e) {
        System.err.println(
            "temporal server start-dev failed ("
                + e.getMessage()
                + "): using the Java test server");
      }
    }
    return LocalTemporal.start();
  }

  /** The Temporal UI, or null when the stack runs the Java test server. */
  public String temporalUi() {
    return temporal.uiUrl();
  }

  private Path jar(String module, String name) {
    return options.repository().resolve(module).resolve("target").resolve(name);
  }

  private boolean apiAnswers() {
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(apiUrl.resolve("/health"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * One key for the owner {@code dev}, minted once and kept (the key, then its entry) in the data
   * dir, readable by this user only, so that it survives restarts.
   */
  private static List<String> devKey(Path data) throws IOException {
    Path file = data.resolve("dev-api-key");
    if (!Files.exists(file)) {
      AccessKeys.Minted minted = AccessKeys.mint("dev");
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, minted.key() + "\n" + minted.entry() + "\n");
    }
    return Files.readAllLines(file);
  }

  private <T extends AutoCloseable> T started(T part) {
    started.push(part);
    return part;
  }

  public URI apiUrl() {
    return apiUrl;
  }

  /** The API's Prometheus metrics, on its management port. */
  public URI apiMetricsUrl() {
    return apiManagement.resolve("/prometheus");
  }

  /** The worker's Prometheus metrics, on its management port. */
  public URI workerMetricsUrl() {
    return workerManagement.resolve("/prometheus");
  }

  /** The worker's port for operators: {@code /health/liveness}, {@code /health/readiness}. */
  public URI workerManagementUrl() {
    return workerManagement;
  }

  /** The key the stack minted for the owner {@code dev}, or null when it was given keys. */
  public String devKey() {
    return devKey;
  }

  public LocalS3 s3() {
    return s3;
  }

  public String temporalTarget() {
    return temporal.target();
  }

  /** The API process, e.g. to read its CPU time. */
  public ServiceProcess api() {
    return api;
  }

  /** The Temporal dev server's process id, or -1 for the Java test server (in this JVM). */
  public long temporalPid() {
    return temporal.pid();
  }

  /** The worker process, e.g. to read its memory use. */
  public ServiceProcess worker() {
    return worker;
  }

  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  /** Stops clamd alone, as when the scanner host goes away. */
  public LocalClamd clamd() {
    return clamd;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("stopping a part of the stack failed: " + e);
      }
    }
  }
}
