package dev.attachments.stack;

import io.temporal.testserver.TestServer;

/**
 * Temporal's Java test server bound to a loopback port, with the attachments' search attributes registered.
 * Real time, no time skipping; it keeps workflow state in memory only.
 */
public final class LocalTemporal implements AutoCloseable {
  private final TestServer.PortBoundTestServer server;
  private final int port;

  private LocalTemporal(TestServer.PortBoundTestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static LocalTemporal start() {
    int port = FreePort.pick();
    LocalTemporal temporal = new LocalTemporal(TestServer.createPortBoundServer(port), port);
    SearchAttributeRegistration.register(temporal.target(), "default");
    return temporal;
  }

  /** host:port for a gRPC client. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.close();
  }
}
