package dev.attachments.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code ./run}: starts the embedded stack in the foreground until Ctrl-C or SIGTERM. */
public final class Stack {
  public static void main(String[] args) throws Exception {
    Instant begin = Instant.now();
    Map<String, String> env = System.getenv();
    int httpPort = Integer.parseInt(env.getOrDefault("ATTACHMENTS_HTTP_PORT", "8080"));
    Path dataDir = Path.of(env.getOrDefault("ATTACHMENTS_DATA_DIR", ".data"));
    Path repository = Path.of(env.getOrDefault("ATTACHMENTS_HOME", ".")).toAbsolutePath();

    EmbeddedStack stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                repository, dataDir, httpPort, env.get("ATTACHMENTS_API_KEYS"), Map.of()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("stopping the attachments stack");
                  stack.close();
                  stopped.countDown();
                }));

    System.out.printf(
        "attachments ready at %s in %.1f s (%s; %smetrics at %s and %s; data in %s, logs in %s)%n",
        stack.apiUrl(),
        Duration.between(begin, Instant.now()).toMillis() / 1000.0,
        stack.devKey() == null
            ? "API keys from ATTACHMENTS_API_KEYS"
            : "API key for dev: " + stack.devKey(),
        stack.temporalUi() == null ? "" : "Temporal UI at " + stack.temporalUi() + "; ",
        stack.apiMetricsUrl(),
        stack.workerMetricsUrl(),
        dataDir.toAbsolutePath(),
        dataDir.toAbsolutePath().resolve("logs"));
    System.out.println(
        "API reference: "
            + stack.apiUrl().resolve("/docs")
            + " (OpenAPI document "
            + stack.apiUrl().resolve("/openapi.yml")
            + ")");
    System.out.println(
        "readiness: api "
            + stack.apiUrl().resolve("/health/readiness")
            + ", worker "
            + stack.workerManagementUrl().resolve("/health/readiness"));
    System.out.println(
        "S3 endpoint "
            + stack.s3().endpoint()
            + ", Temporal "
            + stack.temporalTarget()
            + (stack.temporalUi() == null
                ? " (Java test server: no UI)"
                : ", Temporal UI " + stack.temporalUi()));
    stopped.await();
  }

  private Stack() {}
}
