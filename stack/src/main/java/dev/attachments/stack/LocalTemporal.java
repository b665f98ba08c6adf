package dev.attachments.stack;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal server on loopback ports with the attachments' search attributes registered: the real
 * one, {@code temporal server start-dev} with its UI and a database file in the data dir (workflow
 * state survives restarts), when the Temporal CLI is installed; else Temporal's Java test server
 * (in memory, no UI, no visibility queries).
 */
public final class LocalTemporal implements AutoCloseable {
  private final AutoCloseable server;
  private final int port;
  private final Integer uiPort;
  private final long pid;

  private LocalTemporal(AutoCloseable server, int port, Integer uiPort, long pid) {
    this.server = server;
    this.port = port;
    this.uiPort = uiPort;
    this.pid = pid;
  }

  /** The dev server's process id; -1 for the Java test server, which runs in this JVM. */
  public long pid() {
    return pid;
  }

  /** The Java test server. */
  public static LocalTemporal start() {
    int port = FreePort.pick();
    TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port);
    LocalTemporal temporal = new LocalTemporal(server::close, port, null, -1);
    SearchAttributeRegistration.register(temporal.target(), "default");
    return temporal;
  }

  /**
   * {@code temporal server start-dev} from this CLI binary, keeping its database in {@code folder}.
   *
   * @throws IOException when it does not come up; the caller may fall back to {@link #start()}
   */
  public static LocalTemporal startDev(Path cli, Path folder)
      throws IOException, InterruptedException {
    Files.createDirectories(folder);
    // start-dev puts its history, matching and worker services on the ports after the frontend's
    int port = FreePort.pickBlock(10);
    int uiPort = FreePort.pick();
    Process process =
        new ProcessBuilder(
                cli.toString(),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--ui-port",
                Integer.toString(uiPort),
                "--http-port",
                Integer.toString(FreePort.pick()),
                "--metrics-port",
                Integer.toString(FreePort.pick()),
                "--db-filename",
                folder.resolve("temporal.db").toAbsolutePath().toString(),
                "--namespace",
                "default",
                "--log-level",
                "warn")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(folder.resolve("temporal.log").toFile()))
            .start();
    LocalTemporal temporal =
        new LocalTemporal(
            () -> {
              process.destroy();
              if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
              }
            },
            port,
            uiPort,
            process.pid());
    try {
      temporal.awaitNamespace(process, Duration.ofSeconds(60));
      SearchAttributeRegistration.register(temporal.target(), "default");
      return temporal;
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  private void awaitNamespace(Process process, Duration timeout)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
    try {
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          throw new IOException(
              "temporal server start-dev exited with "
                  + process.exitValue()
                  + "; see temporal.log");
        }
        try {
          service
              .blockingStub()
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .describeNamespace(
                  DescribeNamespaceRequest.newBuilder().setNamespace("default").build());
          return;
        } catch (RuntimeException notYet) {
          Thread.sleep(200);
        }
      }
      throw new IOException("temporal server start-dev did not answer within " + timeout);
    } finally {
      service.shutdownNow();
    }
  }

  /** host:port for a gRPC client. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  /** The Temporal UI, or null with the Java test server. */
  public String uiUrl() {
    return uiPort == null ? null : "http://127.0.0.1:" + uiPort;
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
